using System.Text.Json;
using Dapper;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Storage;
using DueDiligenceBot.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace DueDiligenceBot.Tests.Storage;

public sealed class SqliteStorageTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private async Task<SqliteConnectionFactory> MigratedAsync(string name = "store.db")
    {
        var factory = new SqliteConnectionFactory(_folder.File(name));
        await new Migrator(factory, NullLogger<Migrator>.Instance).MigrateAsync();
        return factory;
    }

    [Fact]
    public async Task Migrations_create_the_file_in_wal_mode_and_are_applied_once()
    {
        var factory = new SqliteConnectionFactory(_folder.File("nested/dir/store.db"));
        var migrator = new Migrator(factory, NullLogger<Migrator>.Instance);
        var first = await migrator.MigrateAsync();
        var second = await migrator.MigrateAsync();

        Assert.True(File.Exists(_folder.File("nested/dir/store.db")));
        Assert.Equal(Migrator.Scripts(SqlDialect.Sqlite).Count, first);
        Assert.Equal(0, second);
        await using var connection = await factory.OpenAsync();
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        var tables = (await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'")).ToHashSet();
        Assert.Superset(new HashSet<string> { "vendors", "reviews", "answers", "conversations", "audit_log", "schema_migrations" }, tables);
    }

    public void Dispose() => _folder.Dispose();
}
