using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using DueDiligenceBot.Tests.Support;
using Npgsql;
using System.Text.Json.Nodes;
using DueDiligenceBot.Tests.Channels.Slack;
using DueDiligenceBot.Tests.Channels.Teams;

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

    private FakeSlack? _slack;
    private FakeBotFramework? _teams;

    private async Task StartAsync()
    {
        _slack = await FakeSlack.StartAsync();
        _teams = await FakeBotFramework.StartAsync();
        Skip.If(PostgresDatabase.ServerConnectionString is null && Environment.GetEnvironmentVariable("CI") != "true",
            $"{PostgresDatabase.Variable} is not set (eval \"$(bash .ci/start-postgres)\" starts a server; .ci/run does this)");
        _db = await PostgresDatabase.CreateAsync();
        var env = new Dictionary<string, string>
        {
            ["Storage__Provider"] = "Postgres",
            ["Storage__ConnectionString"] = _db.ConnectionString,
            ["Slack__SigningSecret"] = SlackTestApp.Secret,
            ["Slack__BotToken"] = "xoxb-test-token",
            ["Slack__ApiBaseUrl"] = _slack.ApiBaseUrl,
            ["Slack__AllowedTeamIds__0"] = SlackTestApp.Team,
            ["Teams__AppId"] = TeamsTestHost.AppId,
            ["Teams__AppPassword"] = "test-secret-not-real",
            ["Teams__TenantId"] = TeamsTestHost.TenantId,
            ["Teams__OpenIdMetadataUrl"] = _teams.MetadataUrl,
            ["Teams__TokenEndpoint"] = _teams.TokenEndpoint,
            ["Teams__AllowedServiceUrlHosts__0"] = "127.0.0.1",
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
            var answer = PlausibleAnswer.For(q.GetProperty("type").GetString());
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

    [SkippableFact]
    public async Task The_same_slack_event_and_teams_activity_delivered_to_both_instances_at_once_are_processed_once()
    {
        await StartAsync();
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["id"] = "1764087000001",
            ["timestamp"] = DateTime.UtcNow.ToString("O"),
            ["serviceUrl"] = _teams!.ServiceUrl,
            ["channelId"] = "msteams",
            ["from"] = new JsonObject { ["id"] = "29:1GcS4EyB_user", ["name"] = "Megan Bowen", ["aadObjectId"] = "c33aafd1-4c2b-4d48-9f8e-2d1b2f1a6f11" },
            ["conversation"] = new JsonObject { ["conversationType"] = "personal", ["tenantId"] = TeamsTestHost.TenantId, ["id"] = TeamsTestHost.PersonalConversation },
            ["recipient"] = new JsonObject { ["id"] = TeamsTestHost.BotId, ["name"] = "DueDiligenceBot" },
            ["text"] = "start review Dup Teams Vendor",
            ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = TeamsTestHost.TenantId } },
        }.ToJsonString();
        var token = "Bearer " + _teams.Token(TeamsTestHost.AppId, _teams.ServiceUrl);

        HttpRequestMessage SlackEvent(AppProcess app)
        {
            var r = SlackTestApp.Event(SlackTestApp.DirectMessage("start review Dup Slack Vendor", "1700000001.000100"), "EvDuplicate1");
            r.RequestUri = new Uri(app.Address, r.RequestUri!);
            return r;
        }
        HttpRequestMessage TeamsActivity(AppProcess app)
        {
            var r = new HttpRequestMessage(HttpMethod.Post, new Uri(app.Address, "/api/messages")) { Content = new StringContent(activity, System.Text.Encoding.UTF8, "application/json") };
            r.Headers.TryAddWithoutValidation("Authorization", token);
            return r;
        }

        var requests = new[] { _a!, _b!, _a!, _b!, _a!, _b! }.SelectMany(app => new[] { SlackEvent(app), TeamsActivity(app) }).ToList();
        var responses = await Task.WhenAll(requests.Select(r => _http.SendAsync(r)));
        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode, $"{r.RequestMessage!.RequestUri} answered {(int)r.StatusCode}"));

        await using var connection = new NpgsqlConnection(_db!.ConnectionString);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM inbox WHERE status = 'delivered'") < 2)
            await Task.Delay(100);
        await Task.Delay(500); // a second run of either turn would show up by now
        var reviews = (await connection.QueryAsync<(string Name, int Count)>(
            "SELECT v.name, COUNT(r.id)::int FROM vendors v JOIN reviews r ON r.vendor_id = v.id GROUP BY v.name ORDER BY v.name")).ToList();
        Assert.Equal([("Dup Slack Vendor", 1), ("Dup Teams Vendor", 1)], reviews);
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM inbox"));
    }

    public async Task DisposeAsync()
    {
        if (_slack is not null) await _slack.DisposeAsync();
        if (_teams is not null) await _teams.DisposeAsync();
        if (_a is not null) await _a.DisposeAsync();
        if (_b is not null) await _b.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
        _http.Dispose();
        _folder.Dispose();
    }
}
