using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapper;
using DueDiligenceBot.Channels.Slack;
using DueDiligenceBot.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace DueDiligenceBot.Tests.Channels.Slack;

/// <summary>
/// The whole app on a Kestrel loopback port with Slack configured against a <see cref="FakeSlack"/>, over its own SQLite file, with
/// Slack's retry and reconnection pauses shortened. Signs requests the way Slack does.
/// </summary>
public sealed class SlackTestApp : WebApplicationFactory<Program>
{
    public const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    public const string Team = "T0001";
    public const string BotUser = "UBOT";

    private readonly TempFolder _folder = new();
    private readonly Dictionary<string, string?> _settings;

    public SlackTestApp(FakeSlack slack, IDictionary<string, string?>? settings = null, bool http = true)
    {
        Slack = slack;
        DatabasePath = _folder.File("slack.db");
        _settings = new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = "xoxb-test-token",
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl,
            ["Slack:AllowedTeamIds:0"] = Team,
        };
        if (http) _settings["Slack:SigningSecret"] = Secret;
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) _settings[k] = v;
        // Real HTTP on a loopback port, as Slack would reach the app; CreateClient() then talks to Kestrel.
        UseKestrel(0);
    }

    public FakeSlack Slack { get; }
    public string DatabasePath { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Storage:SqlitePath", DatabasePath);
        builder.UseSetting("Knowledge:Path", TestPaths.Knowledge);
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            CitingKnowledgeBase.Decorate(services);
            services.AddSingleton(new SlackRetryPolicy { FirstBackoff = TimeSpan.FromMilliseconds(20), MaxRetryAfter = TimeSpan.FromSeconds(5) });
            services.AddSingleton(new SlackSocketModeSettings { FirstBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(500) });
        });
    }

    public static HttpRequestMessage Signed(string path, string body, string contentType, long? timestamp = null, string secret = Secret)
    {
        var ts = (timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add("X-Slack-Request-Timestamp", ts);
        request.Headers.Add("X-Slack-Signature", SlackSignature.Compute(secret, ts, bytes));
        return request;
    }

    public static string Form(IEnumerable<KeyValuePair<string, string>> fields) =>
        string.Join("&", fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));

    public static HttpRequestMessage Command(string text, string responseUrl, string user = "U100", string channel = "C200",
        string team = Team, string? trigger = null) =>
        Signed("/api/slack/commands", Form(new Dictionary<string, string>
        {
            ["token"] = "legacy-ignored",
            ["team_id"] = team,
            ["team_domain"] = "example",
            ["channel_id"] = channel,
            ["channel_name"] = "general",
            ["user_id"] = user,
            ["user_name"] = "dana",
            ["command"] = "/dd",
            ["text"] = text,
            ["api_app_id"] = "A0001",
            ["response_url"] = responseUrl,
            ["trigger_id"] = trigger ?? $"{Random.Shared.NextInt64()}.{Random.Shared.NextInt64()}",
        }), "application/x-www-form-urlencoded");

    public static string EventJson(object @event, string eventId, string team = Team) => JsonSerializer.Serialize(new
    {
        token = "legacy-ignored",
        team_id = team,
        api_app_id = "A0001",
        @event,
        type = "event_callback",
        event_id = eventId,
        event_time = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        authorizations = new[] { new { enterprise_id = (string?)null, team_id = team, user_id = BotUser, is_bot = true, is_enterprise_install = false } },
    });

    public static HttpRequestMessage Event(object @event, string eventId, string team = Team, int? retry = null)
    {
        var request = Signed("/api/slack/events", EventJson(@event, eventId, team), "application/json");
        if (retry is { } n)
        {
            request.Headers.Add("X-Slack-Retry-Num", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        }
        return request;
    }

    public static object DirectMessage(string text, string ts, string user = "U100", string channel = "D100") =>
        new { type = "message", channel_type = "im", channel, user, text, ts, event_ts = ts, client_msg_id = Guid.NewGuid().ToString() };

    public static HttpRequestMessage Interaction(object payload) =>
        Signed("/api/slack/interactions", Form([KeyValuePair.Create("payload", JsonSerializer.Serialize(payload))]), "application/x-www-form-urlencoded");

    /// <summary>Row counts of every table, to show that a refused request changed nothing.</summary>
    public Dictionary<string, long> TableCounts()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        var tables = connection.Query<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").ToList();
        return tables.ToDictionary(t => t, t => connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM \"{t}\""));
    }

    public long Count(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection.ExecuteScalar<long>(sql);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }
}
