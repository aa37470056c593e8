using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Core.Storage;

public enum SqlDialect { Sqlite, Postgres }

/// <summary>
/// Opens connections to the configured database. Callers write plain SQL with Dapper that both dialects
/// accept; only migrations differ per dialect.
/// </summary>
public interface IDbConnectionFactory
{
    SqlDialect Dialect { get; }
    Task<DbConnection> OpenAsync(CancellationToken ct = default);
}

public sealed class SqliteConnectionFactory : IDbConnectionFactory
{
    private readonly string _connectionString;

    public SqliteConnectionFactory(IOptions<StorageOptions> options) : this(options.Value.SqlitePath) { }

    public SqliteConnectionFactory(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        FilePath = full;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
            ForeignKeys = true,
        }.ToString();
    }

    public SqlDialect Dialect => SqlDialect.Sqlite;

    public string FilePath { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        // Writers wait for each other instead of failing at once with SQLITE_BUSY.
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;";
        await cmd.ExecuteNonQueryAsync(ct);
        return connection;
    }
}

public static class DbConnectionExtensions
{
    /// <summary>Starts the turn's transaction; on SQLite it takes the write lock at once (BEGIN IMMEDIATE).</summary>
    public static async Task<DbTransaction> BeginTurnAsync(this DbConnection connection, CancellationToken ct = default) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
}
