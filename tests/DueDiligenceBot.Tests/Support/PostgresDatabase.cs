using Npgsql;

namespace DueDiligenceBot.Tests.Support;

/// <summary>
/// A fresh database on the test PostgreSQL server named by DDBOT_TEST_POSTGRES (started by .ci/start-postgres),
/// dropped afterwards.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public const string Variable = "DDBOT_TEST_POSTGRES";

    private readonly string _admin;

    private PostgresDatabase(string admin, string name, string connectionString)
    {
        _admin = admin;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static string? ServerConnectionString => Environment.GetEnvironmentVariable(Variable);

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var admin = ServerConnectionString
            ?? throw new InvalidOperationException($"{Variable} is not set; run: eval \"$(bash .ci/start-postgres)\"");
        var name = "ddbot_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        return new PostgresDatabase(admin, name, cs);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// A test that needs the PostgreSQL server: skips (saying why) only outside CI when DDBOT_TEST_POSTGRES is
/// unset. In CI (CI=true) it never skips: .ci/run starts the server.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresDatabase.ServerConnectionString is null && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = $"{PostgresDatabase.Variable} is not set (eval \"$(bash .ci/start-postgres)\" starts a server; .ci/run does this)";
    }
}
