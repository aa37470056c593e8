using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using DueDiligenceBot.Tests.Support;
using Microsoft.Data.Sqlite;

namespace DueDiligenceBot.Tests.Channels.Teams;

/// <summary>The app (in memory, its own SQLite file) configured against a <see cref="FakeBotFramework"/> on loopback.</summary>
public sealed class TeamsTestHost : IAsyncDisposable
{
    public const string AppId = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    public const string TenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    public const string OtherTenantId = "0b0b0b0b-1111-4222-8333-444455556666";
    public const string BotId = "28:" + AppId;
    public const string PersonalConversation = "a:1Ue6WdqzF2t0yJ4nXWa9X1wFkmRAvU1Y5yN0e8k3gq6w";
    public const string TeamChannel = "19:5a4b3c2d1e0f4a9b8c7d6e5f4a3b2c1d@thread.tacv2";
    public static readonly string FixtureFolder = Path.Combine(TestPaths.RepoRoot, "tests", "DueDiligenceBot.Tests", "Channels", "Teams", "Fixtures");

    private int _activityIds;

    private TeamsTestHost(FakeBotFramework fake, AppFactory app)
    {
        Fake = fake;
        App = app;
    }

    public FakeBotFramework Fake { get; }
    public AppFactory App { get; }
    private HttpClient? _client;

    /// <summary>Creating the client starts the app.</summary>
    public HttpClient Client => _client ??= App.CreateClient();

    public static async Task<TeamsTestHost> StartAsync(IDictionary<string, string?>? extra = null)
    {
        var fake = await FakeBotFramework.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Teams:AppId"] = AppId,
            ["Teams:AppPassword"] = "test-secret-not-real",
            ["Teams:TenantId"] = TenantId,
            ["Teams:OpenIdMetadataUrl"] = fake.MetadataUrl,
            ["Teams:TokenEndpoint"] = fake.TokenEndpoint,
            ["Teams:AllowedServiceUrlHosts:0"] = "127.0.0.1",
            ["Teams:RetryBaseDelayMilliseconds"] = "20",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        var host = new TeamsTestHost(fake, new AppFactory(settings));
        return host;
    }

    public string NextActivityId() => "1764087" + Interlocked.Increment(ref _activityIds).ToString("D6");

    /// <summary>A fixture written from Microsoft's documentation, with the test's service URL, bot and tenant filled in.</summary>
    public JsonObject Fixture(string name, IDictionary<string, string>? values = null)
    {
        var text = File.ReadAllText(Path.Combine(FixtureFolder, name));
        var all = new Dictionary<string, string>
        {
            ["serviceUrl"] = Fake.ServiceUrl,
            ["botId"] = BotId,
            ["tenantId"] = TenantId,
            ["activityId"] = NextActivityId(),
            ["conversationId"] = PersonalConversation,
            ["replyToId"] = "reply-1",
            ["value"] = "{}",
            ["data"] = "{}",
        };
        foreach (var (k, v) in values ?? new Dictionary<string, string>()) all[k] = v;
        foreach (var (k, v) in all) text = text.Replace("{{" + k + "}}", v, StringComparison.Ordinal);
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>A personal-chat message as Teams sends it.</summary>
    public JsonObject Message(string text, string conversationId = PersonalConversation, string? serviceUrl = null) => new()
    {
        ["type"] = "message",
        ["id"] = NextActivityId(),
        ["timestamp"] = DateTime.UtcNow.ToString("O"),
        ["serviceUrl"] = serviceUrl ?? Fake.ServiceUrl,
        ["channelId"] = "msteams",
        ["from"] = new JsonObject { ["id"] = "29:1GcS4EyB_user", ["name"] = "Megan Bowen", ["aadObjectId"] = "c33aafd1-4c2b-4d48-9f8e-2d1b2f1a6f11" },
        ["conversation"] = new JsonObject { ["conversationType"] = "personal", ["tenantId"] = TenantId, ["id"] = conversationId },
        ["recipient"] = new JsonObject { ["id"] = BotId, ["name"] = "DueDiligenceBot" },
        ["text"] = text,
        ["textFormat"] = "plain",
        ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = TenantId } },
        ["locale"] = "en-US",
    };

    /// <summary>A token the fake Connector would send for this activity.</summary>
    public string ValidAuthorization(JsonObject? activity = null) =>
        "Bearer " + Fake.Token(AppId, activity?["serviceUrl"]?.GetValue<string>() ?? Fake.ServiceUrl);

    public async Task<HttpResponseMessage> PostAsync(JsonObject activity, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostAsync(JsonObject activity) => PostAsync(activity, ValidAuthorization(activity));

    /// <summary>Rows any turn would have written: vendors, answers, conversations, inbox, audit, references.</summary>
    public int StoredRows()
    {
        using var connection = new SqliteConnection($"Data Source={App.DatabasePath}");
        connection.Open();
        return connection.ExecuteScalar<int>("""
            SELECT (SELECT COUNT(*) FROM vendors) + (SELECT COUNT(*) FROM answers) + (SELECT COUNT(*) FROM conversations)
                 + (SELECT COUNT(*) FROM inbox) + (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM teams_conversation_references)
            """);
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        try { await App.DisposeAsync(); } catch (Exception) when (_client is null) { }
        await Fake.DisposeAsync();
    }
}
