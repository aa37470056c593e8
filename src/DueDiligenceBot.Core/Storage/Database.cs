using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

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
        DapperSetup.EnsureInitialized();
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

public sealed class PostgresConnectionFactory : IDbConnectionFactory, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresConnectionFactory(IOptions<StorageOptions> options) : this(options.Value.ConnectionString!) { }

    public PostgresConnectionFactory(string connectionString)
    {
        DapperSetup.EnsureInitialized();
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    public SqlDialect Dialect => SqlDialect.Postgres;

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default) => await _dataSource.OpenConnectionAsync(ct);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}

public static class DbConnectionExtensions
{
    /// <summary>Starts the turn's transaction; on SQLite it takes the write lock at once (BEGIN IMMEDIATE).</summary>
    public static async Task<DbTransaction> BeginTurnAsync(this DbConnection connection, CancellationToken ct = default) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);

    /// <summary>
    /// Whether a failed turn lost a race it can win by running again: two first messages creating the same
    /// vendor, a serialization failure or a deadlock on PostgreSQL, a busy SQLite file.
    /// </summary>
    public static bool IsRetryableConflict(this Exception e) => e switch
    {
        ConcurrencyConflictException => true,
        PostgresException pg => pg.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected,
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        _ => false,
    };
}
