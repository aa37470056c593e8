using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using DueDiligenceBot.Tests.Support;
using Npgsql;

namespace DueDiligenceBot.Tests.MultiInstance;

/// <summary>Two real app processes on one PostgreSQL database, as behind a load balancer.</summary>
public sealed class TwoInstanceTests : IAsyncLifetime
{
    private PostgresDatabase? _db;
    private AppProcess? _a;
    private AppProcess? _b;
    private readonly TempFolder _folder = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task StartAsync()
    {
        Skip.If(PostgresDatabase.ServerConnectionString is null && Environment.GetEnvironmentVariable("CI") != "true",
            $"{PostgresDatabase.Variable} is not set (eval \"$(bash .ci/start-postgres)\" starts a server; .ci/run does this)");
        _db = await PostgresDatabase.CreateAsync();
        var env = new Dictionary<string, string>
        {
            ["Storage__Provider"] = "Postgres",
            ["Storage__ConnectionString"] = _db.ConnectionString,
        };
        // Both start at once: the advisory lock lets one migrate while the other waits.
        var a = AppProcess.StartAsync(_folder.Path, env);
        var b = AppProcess.StartAsync(_folder.Path, env);
        _a = await a;
        _b = await b;
    }

    private async Task<JsonElement> SayAsync(AppProcess app, string conversation, string text)
    {
        var response = await _http.PostAsJsonAsync(new Uri(app.Address, "/api/webchat/messages"),
            new { conversationId = conversation, userId = "dana", userName = "Dana", text });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static JsonElement? Question(JsonElement reply) =>
        reply.GetProperty("replies").EnumerateArray().LastOrDefault(r => r.GetProperty("question").ValueKind == JsonValueKind.Object) is { ValueKind: JsonValueKind.Object } r
            ? r.GetProperty("question") : null;

    [SkippableFact]
    public async Task A_review_walked_alternating_between_two_instances_completes_with_every_answer_once()
    {
        await StartAsync();
        var reply = await SayAsync(_a!, "lb-chat", "start review Acme Health");
        var turns = 0;
        var asked = new List<string>();
        while (Question(reply) is { } q && turns < 200)
        {
            asked.Add(q.GetProperty("key").GetString()!);
            var answer = q.GetProperty("type").GetString() switch
            {
                "yesno" => "yes", "choice" => "1", "multichoice" => "1, 2", "date" => "2026-06-30", "number" => "12", _ => "none",
            };
            reply = await SayAsync(++turns % 2 == 0 ? _a! : _b!, "lb-chat", answer);
        }
        Assert.Contains("The review of Acme Health is complete", reply.GetRawText());

        await using var connection = new NpgsqlConnection(_db!.ConnectionString);
        var keys = (await connection.QueryAsync<string>("SELECT question_key FROM answers ORDER BY id")).ToList();
        Assert.Equal(asked, keys);
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM schema_migrations WHERE version = 1"));
    }

    [SkippableFact]
    public async Task Concurrent_answers_to_one_review_through_both_instances_lose_no_update()
    {
        await StartAsync();
        await SayAsync(_a!, "lead", "start review Beta Labs");
        for (var i = 0; i < 10; i++) await SayAsync(i % 2 == 0 ? _a! : _b!, $"chat-{i}", "resume Beta Labs");

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => SayAsync(i % 2 == 0 ? _b! : _a!, $"chat-{i}", $"Answer {i}")));

        await using var connection = new NpgsqlConnection(_db!.ConnectionString);
        var values = (await connection.QueryAsync<string>("SELECT value_json FROM answers WHERE question_key = 'service_description'")).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"\"Answer {i}\"").Order(), values);
    }

    public async Task DisposeAsync()
    {
        if (_a is not null) await _a.DisposeAsync();
        if (_b is not null) await _b.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
        _http.Dispose();
        _folder.Dispose();
    }
}
