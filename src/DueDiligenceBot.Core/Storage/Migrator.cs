using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Dapper;
using Microsoft.Extensions.Logging;

namespace DueDiligenceBot.Core.Storage;

/// <summary>Applies the embedded, numbered SQL scripts of the configured dialect that the database lacks.</summary>
public sealed class Migrator(IDbConnectionFactory factory, ILogger<Migrator> logger)
{
    public sealed record Script(int Version, string Name, string Sql);

    public static IReadOnlyList<Script> Scripts(SqlDialect dialect)
    {
        var folder = dialect == SqlDialect.Sqlite ? ".sqlite." : ".postgres.";
        var assembly = typeof(Migrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Storage.Migrations" + folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[(n.IndexOf(folder, StringComparison.Ordinal) + folder.Length)..];
                var version = int.Parse(file[..4], CultureInfo.InvariantCulture);
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return new Script(version, file, reader.ReadToEnd());
            })
            .OrderBy(s => s.Version)
            .ToList();
    }

    public async Task<int> MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = await factory.OpenAsync(ct);
        if (factory.Dialect == SqlDialect.Sqlite)
        {
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
            return await ApplyAsync(connection, ct);
        }
        // Several instances may start at once: one migrates, the others wait and then find nothing to do. The
        // lock belongs to the session, and pooled connections are not reset, so it is released whatever happens.
        await connection.ExecuteAsync("SELECT pg_advisory_lock(72410001)");
        try
        {
            return await ApplyAsync(connection, ct);
        }
        finally
        {
            // A broken connection ends its session, and the lock with it.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                try { await connection.ExecuteAsync("SELECT pg_advisory_unlock(72410001)"); }
                catch (DbException) { }
            }
        }
    }

    private async Task<int> ApplyAsync(DbConnection connection, CancellationToken ct)
    {
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
        var applied = 0;
        foreach (var script in Scripts(factory.Dialect))
        {
            // Migrations run once, at start, on the one connection that holds PostgreSQL's advisory lock.
            await using var tx = connection is Microsoft.Data.Sqlite.SqliteConnection sqlite
                ? sqlite.BeginTransaction(deferred: false)
                : await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct);
            var done = await connection.ExecuteScalarAsync<int>(
                "SELECT COUNT(*) FROM schema_migrations WHERE version = @Version", new { script.Version }, tx);
            if (done > 0) { await tx.RollbackAsync(ct); continue; }
            await connection.ExecuteAsync(script.Sql, transaction: tx);
            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
                new { script.Version, script.Name, At = DateTimeOffset.UtcNow.ToString("O") }, tx);
            await tx.CommitAsync(ct);
            Log.MigrationApplied(logger, script.Version, script.Name);
            applied++;
        }
        return applied;
    }
}
