using System.Collections.Concurrent;
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

    /// <summary>A connection for reads (and for the migrator). Write through <see cref="BeginTurnAsync"/> or <see cref="OpenWriterAsync"/>.</summary>
    Task<DbConnection> OpenAsync(CancellationToken ct = default);

    /// <summary>
    /// A new connection with a write transaction: on SQLite it waits for this process's write gate and then
    /// takes SQLite's write lock (BEGIN IMMEDIATE); on PostgreSQL it is READ COMMITTED. The gate is released
    /// when the turn is committed or disposed.
    /// </summary>
    Task<DbTurn> BeginTurnAsync(CancellationToken ct = default);

    /// <summary>
    /// A connection for writes outside a turn (single statements in autocommit). On SQLite it holds this
    /// process's write gate until it is closed, so keep it short; on PostgreSQL it is an ordinary connection.
    /// </summary>
    Task<DbConnection> OpenWriterAsync(CancellationToken ct = default);
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

    public async Task<DbConnection> OpenWriterAsync(CancellationToken ct = default)
    {
        var gate = await SqliteWriteGate.EnterAsync(FilePath, ct);
        try
        {
            var connection = await OpenAsync(ct);
            gate.ReleaseWhenClosed(connection);
            return connection;
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    public async Task<DbTurn> BeginTurnAsync(CancellationToken ct = default)
    {
        var gate = await SqliteWriteGate.EnterAsync(FilePath, ct);
        DbConnection? connection = null;
        try
        {
            connection = await OpenAsync(ct);
            var tx = ((SqliteConnection)connection).BeginTransaction(deferred: false);
            return new DbTurn(connection, tx, gate.Release);
        }
        catch
        {
            if (connection is not null) await connection.DisposeAsync();
            gate.Release();
            throw;
        }
    }
}

/// <summary>
/// SQLite lets one connection write at a time. Inside this process writers queue here, asynchronously and in
/// order, instead of in SQLite's busy handler, which sleeps on a thread-pool thread and retries with back-off:
/// under load that starves the pool and gives long, uneven waits. Other processes on the same file are still
/// kept apart by SQLite's own lock and busy timeout.
/// </summary>
internal sealed class SqliteWriteGate
{
    /// <summary>How long a writer waits for the gate before its turn fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate;
    private int _released;

    private SqliteWriteGate(SemaphoreSlim gate) => _gate = gate;

    public static async Task<SqliteWriteGate> EnterAsync(string file, CancellationToken ct)
    {
        var gate = Gates.GetOrAdd(file, _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(Timeout, ct))
            throw new TimeoutException($"waited {Timeout.TotalSeconds:0} s for the SQLite write lock; is a write transaction left open?");
        return new SqliteWriteGate(gate);
    }

    /// <summary>Releases the gate once, however often it is called.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _gate.Release();
    }

    public void ReleaseWhenClosed(DbConnection connection) =>
        connection.StateChange += (_, e) => { if (e.CurrentState == ConnectionState.Closed) Release(); };
}

/// <summary>
/// One write transaction on its own connection. <see cref="CommitAsync"/> commits and closes it; disposing
/// an uncommitted turn rolls it back. Either way the SQLite write gate is released at once, so work after
/// the commit (a model call, another turn) never holds it.
/// </summary>
public sealed class DbTurn : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly Action? _release;
    private bool _closed;

    internal DbTurn(DbConnection connection, DbTransaction transaction, Action? release)
    {
        _connection = connection;
        Transaction = transaction;
        _release = release;
    }

    public DbTransaction Transaction { get; }
    public DbConnection Connection => _connection;

    public async Task CommitAsync(CancellationToken ct = default)
    {
        await Transaction.CommitAsync(ct);
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_closed) return;
        _closed = true;
        try
        {
            await Transaction.DisposeAsync(); // rolls back unless committed
            await _connection.DisposeAsync();
        }
        finally
        {
            _release?.Invoke();
        }
    }
}

public sealed class PostgresConnectionFactory : IDbConnectionFactory, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresConnectionFactory(IOptions<StorageOptions> options) : this(options.Value.ConnectionString!) { }

    public PostgresConnectionFactory(string connectionString)
    {
        DapperSetup.EnsureInitialized();
        _dataSource = NpgsqlDataSource.Create(WithDefaults(connectionString));
    }

    /// <summary>
    /// Two Npgsql settings this app's short, repeated turns benefit from, unless the connection string sets
    /// them: statements used often are prepared on the server (Max Auto Prepare), and a pooled connection is
    /// not reset with DISCARD ALL each time it is returned (No Reset On Close), which would also throw the
    /// prepared statements away. The app leaves no session state behind (the migrator's advisory lock is
    /// released in a finally block).
    /// </summary>
    public static string WithDefaults(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var keys = given.Keys.Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!keys.Contains("MaxAutoPrepare")) builder.MaxAutoPrepare = 64;
        if (!keys.Contains("NoResetOnClose")) builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    public SqlDialect Dialect => SqlDialect.Postgres;

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default) => await _dataSource.OpenConnectionAsync(ct);

    public Task<DbConnection> OpenWriterAsync(CancellationToken ct = default) => OpenAsync(ct);

    public async Task<DbTurn> BeginTurnAsync(CancellationToken ct = default)
    {
        var connection = await OpenAsync(ct);
        try
        {
            return new DbTurn(connection, await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct), null);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}

public static class DbConnectionExtensions
{
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
