using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dapper;
using DueDiligenceBot.Tests.Channels.Slack;
using DueDiligenceBot.Tests.Channels.Teams;
using DueDiligenceBot.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace DueDiligenceBot.Tests.Fuzz;

/// <summary>One endpoint's request generator: builds a (mostly hostile) request from the random source.</summary>
public sealed record FuzzTarget(string Name, Func<HostileInput, HttpRequestMessage> Build);

public sealed class FuzzTests(ITestOutputHelper output)
{
    public const int Requests = 10_000;

    private static HttpRequestMessage Post(string path, byte[] body, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.TryParse(contentType, out var t) ? t : null;
        return request;
    }

    /// <summary>The endpoints and how to fuzz each; channels add theirs here.</summary>
    public static IReadOnlyList<FuzzTarget> Targets { get; } =
    [
        new("webchat", h =>
        {
            var body = h.Json(new Dictionary<string, object?>
            {
                ["conversationId"] = h.Random.Next(4) == 0 ? h.Value() : $"fuzz-{h.Random.Next(20)}",
                ["userId"] = h.Random.Next(4) == 0 ? h.Value() : $"user-{h.Random.Next(5)}",
                ["userName"] = h.Random.Next(3) == 0 ? h.Value() : h.String(),
                ["text"] = h.Random.Next(3) == 0 ? h.Value() : h.String(),
                ["value"] = h.Random.Next(3) == 0 ? h.String() : null,
            });
            return h.Random.Next(3) == 0 ? Post("/api/webchat/messages", h.Mutate(body), h.Random.Next(5) == 0 ? "text/plain" : "application/json")
                                         : Post("/api/webchat/messages", body);
        }),
        new("vendor-api", h =>
        {
            var vendor = Uri.EscapeDataString(Clip(h.Random.Next(3) == 0 ? h.String() : "Fuzz Vendor " + h.Random.Next(5), 150));
            if (vendor.Length == 0) vendor = "x";
            if (h.Random.Next(3) == 0)
                return new HttpRequestMessage(HttpMethod.Get, $"/api/vendors/{vendor}/memo?asOf={Uri.EscapeDataString(Clip(h.String(), 40))}&format={(h.Random.Next(2) == 0 ? "json" : Uri.EscapeDataString(Clip(h.String(), 10)))}");
            var answers = new Dictionary<string, object?>();
            if (h.Random.Next(4) == 0)
            {
                // Valid answers with hostile text, so the request reaches storage and the memo.
                answers["handles_phi"] = h.Random.Next(2) == 0;
                answers["soc2_report_type"] = "type2";
                answers["scope_exclusions"] = h.String();
                answers["soc2_exceptions"] = h.String();
                return PutJson($"/api/vendors/{vendor}/answers", h.Json(new { answers }));
            }
            foreach (var key in new[] { "handles_phi", "soc2_report_type", "soc2_period_end", "soc2_criteria", "baa_breach_notification_days", "scope_exclusions", h.String() }.Take(h.Random.Next(1, 8)))
                if (key.Length > 0) answers[key] = h.Value();
            var body = h.Json(new Dictionary<string, object?> { ["vendor"] = h.Random.Next(4) == 0 ? h.Value() : null, ["as_of"] = h.Random.Next(3) == 0 ? h.Value() : null, ["answers"] = h.Random.Next(6) == 0 ? h.Value() : answers });
            return PutJson($"/api/vendors/{vendor}/answers", h.Random.Next(4) == 0 ? h.Mutate(body) : body);
        }),
        new("review-pages", h => h.Random.Next(3) switch
        {
            0 => new HttpRequestMessage(HttpMethod.Get, $"/vendors?q={Uri.EscapeDataString(Clip(h.String(), 100))}&page={h.Random.Next(-5, 100000)}"),
            1 => new HttpRequestMessage(HttpMethod.Get, $"/vendors/{Uri.EscapeDataString(Clip(h.String(), 100) is { Length: > 0 } v ? v : "x")}?version={h.Random.Next(-3, 5)}"),
            _ => Post($"/vendors/Steady%20Vendor/decision", System.Text.Encoding.UTF8.GetBytes($"decision={Uri.EscapeDataString(Clip(h.String(), 50))}&conditions={Uri.EscapeDataString(Clip(h.String(), 500))}&version={h.Random.Next(-1, 3)}"), "application/x-www-form-urlencoded"),
        }),
        new("pages", h => new HttpRequestMessage(HttpMethod.Get, h.Random.Next(4) switch
        {
            0 => "/",
            1 => "/healthz",
            2 => "/readyz",
            _ => "/" + Uri.EscapeDataString(Clip(h.String(), 200)),
        })),
    ];

    /// <summary>Slack and Teams, signed correctly so the hostile content gets past authentication.</summary>
    private static IEnumerable<FuzzTarget> ChannelTargets(FakeBotFramework teams)
    {
        var token = "Bearer " + teams.Token(TeamsTestHost.AppId, teams.ServiceUrl);
        HttpRequestMessage SignedSlack(string path, byte[] body, string type)
        {
            var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var request = Post(path, body, type);
            request.Headers.Add("X-Slack-Request-Timestamp", ts);
            request.Headers.Add("X-Slack-Signature", DueDiligenceBot.Channels.Slack.SlackSignature.Compute(SlackTestApp.Secret, ts, body));
            return request;
        }
        yield return new("slack", h =>
        {
            var n = h.Random.Next(1000);
            switch (h.Random.Next(3))
            {
                case 0:
                    var evt = h.Json(new Dictionary<string, object?>
                    {
                        ["type"] = h.Random.Next(5) == 0 ? h.Value() : "event_callback",
                        ["team_id"] = h.Random.Next(6) == 0 ? h.Value() : SlackTestApp.Team,
                        ["event_id"] = h.Random.Next(6) == 0 ? h.Value() : $"EvFuzz{n}",
                        ["event"] = h.Random.Next(6) == 0 ? h.Value() : new Dictionary<string, object?>
                        {
                            ["type"] = h.Random.Next(2) == 0 ? "message" : "app_mention",
                            ["channel_type"] = "im", ["channel"] = $"D{n % 7}", ["user"] = h.Random.Next(5) == 0 ? h.Value() : $"U{n % 5}",
                            ["text"] = h.String(), ["ts"] = $"1700000000.{n:D6}",
                            ["subtype"] = h.Random.Next(6) == 0 ? h.Value() : null,
                        },
                    });
                    return SignedSlack("/api/slack/events", h.Random.Next(4) == 0 ? h.Mutate(evt) : evt, "application/json");
                case 1:
                    var form = $"team_id={(h.Random.Next(6) == 0 ? Uri.EscapeDataString(Clip(h.String(), 50)) : SlackTestApp.Team)}&user_id=U{n % 5}&channel_id=C1&command=%2Fdd&text={Uri.EscapeDataString(Clip(h.String(), 3000))}&response_url={Uri.EscapeDataString(h.Random.Next(2) == 0 ? "https://evil.example/x" : Clip(h.String(), 100))}&trigger_id=T{n}";
                    var bytes = System.Text.Encoding.UTF8.GetBytes(form);
                    return SignedSlack("/api/slack/commands", h.Random.Next(4) == 0 ? h.Mutate(bytes) : bytes, "application/x-www-form-urlencoded");
                default:
                    var payload = h.Json(new Dictionary<string, object?>
                    {
                        ["type"] = h.Random.Next(4) == 0 ? h.Value() : "block_actions",
                        ["team"] = new Dictionary<string, object?> { ["id"] = SlackTestApp.Team },
                        ["user"] = h.Random.Next(4) == 0 ? h.Value() : new Dictionary<string, object?> { ["id"] = $"U{n % 5}", ["name"] = h.String() },
                        ["actions"] = h.Random.Next(4) == 0 ? h.Value() : new[] { new Dictionary<string, object?> { ["action_id"] = h.String(), ["value"] = h.String() } },
                        ["trigger_id"] = $"T{n}",
                    });
                    var body = System.Text.Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(System.Text.Encoding.UTF8.GetString(h.Random.Next(4) == 0 ? h.Mutate(payload) : payload)));
                    return SignedSlack("/api/slack/interactions", body, "application/x-www-form-urlencoded");
            }
        });
        yield return new("teams", h =>
        {
            var n = h.Random.Next(1000);
            var activity = h.Json(new Dictionary<string, object?>
            {
                ["type"] = h.Random.Next(5) == 0 ? h.Value() : h.Random.Next(4) switch { 0 => "invoke", 1 => "conversationUpdate", _ => "message" },
                ["id"] = h.Random.Next(6) == 0 ? h.Value() : $"fuzz{n}",
                ["serviceUrl"] = teams.ServiceUrl,
                ["channelId"] = "msteams",
                ["name"] = h.Random.Next(2) == 0 ? "adaptiveCard/action" : h.String(),
                ["from"] = h.Random.Next(6) == 0 ? h.Value() : new Dictionary<string, object?> { ["id"] = $"29:u{n % 5}", ["name"] = h.String() },
                ["conversation"] = h.Random.Next(6) == 0 ? h.Value() : new Dictionary<string, object?> { ["conversationType"] = "personal", ["tenantId"] = TeamsTestHost.TenantId, ["id"] = $"a:fuzz{n % 7}" },
                ["recipient"] = new Dictionary<string, object?> { ["id"] = TeamsTestHost.BotId },
                ["text"] = h.String(),
                ["value"] = h.Random.Next(3) == 0 ? h.Value() : null,
                ["entities"] = h.Random.Next(4) == 0 ? h.Value() : null,
                ["channelData"] = new Dictionary<string, object?> { ["tenant"] = new Dictionary<string, object?> { ["id"] = TeamsTestHost.TenantId } },
            });
            var request = Post("/api/messages", h.Random.Next(4) == 0 ? h.Mutate(activity) : activity);
            request.Headers.TryAddWithoutValidation("Authorization", token);
            return request;
        });
    }

    private static HttpRequestMessage PutJson(string path, byte[] body)
    {
        var request = Post(path, body);
        request.Method = HttpMethod.Put;
        return request;
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max];

    [Fact]
    public async Task Ten_thousand_hostile_requests_cause_no_5xx_no_unhandled_exception_and_change_no_stored_answer()
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var teams = await FakeBotFramework.StartAsync();
        await using var server = LiveServer.Start(new Dictionary<string, string?>
        {
            ["Review:MaxTurnsPerUserPerMinute"] = "100000",
            ["Review:ApiRequestsPerMinutePerClient"] = "1000000",
            ["Slack:SigningSecret"] = SlackTestApp.Secret,
            ["Slack:BotToken"] = "xoxb-test-token",
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl,
            ["Slack:AllowedTeamIds:0"] = SlackTestApp.Team,
            ["Teams:AppId"] = TeamsTestHost.AppId,
            ["Teams:AppPassword"] = "test-secret-not-real",
            ["Teams:TenantId"] = TeamsTestHost.TenantId,
            ["Teams:OpenIdMetadataUrl"] = teams.MetadataUrl,
            ["Teams:TokenEndpoint"] = teams.TokenEndpoint,
            ["Teams:AllowedServiceUrlHosts:0"] = "127.0.0.1",
        });
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };

        // Answers stored before the attack must come out of it unchanged.
        foreach (var text in new[] { "start review Steady Vendor", "Scheduling", "yes", "2", "1, 2" })
            (await http.PostAsJsonAsync("/api/webchat/messages", new { conversationId = "steady", userId = "dana", userName = "Dana", text })).EnsureSuccessStatusCode();
        var before = Snapshot(server.DatabasePath);
        Assert.Equal(4, before.Count);

        var statuses = new ConcurrentDictionary<string, int>();
        var targets = Targets.Concat(ChannelTargets(teams)).ToList();
        await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var hostile = new HostileInput(20261125 + i);
            var target = targets[i % targets.Count];
            using var request = target.Build(hostile);
            using var response = await http.SendAsync(request, ct);
            statuses.AddOrUpdate($"{target.Name} {(int)response.StatusCode}", 1, (_, n) => n + 1);
            Assert.True((int)response.StatusCode < 500,
                $"{target.Name} request {i} answered {(int)response.StatusCode}: {request.Method} {request.RequestUri}\n" +
                string.Join("\n", server.Logs.Errors.Select(e => $"{e.Category}: {e.Message} {e.Exception}")));
        });

        foreach (var (key, count) in statuses.OrderBy(kv => kv.Key)) output.WriteLine($"{key}: {count}");
        Assert.Equal(Requests, statuses.Values.Sum());
        Assert.Empty(server.Logs.Errors.Select(e => $"{e.Category}: {e.Message} {e.Exception?.GetType().Name}"));

        using var connection = new SqliteConnection($"Data Source={server.DatabasePath}");
        Assert.Equal("ok", connection.ExecuteScalar<string>("PRAGMA integrity_check"));
        var after = Snapshot(server.DatabasePath);
        foreach (var (id, row) in before) Assert.Equal(row, after[id]);
    }

    private static Dictionary<long, string> Snapshot(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        return connection.Query<(long Id, string Row)>(
                "SELECT id, review_id || '|' || question_key || '|' || status || '|' || COALESCE(value_json, '') || '|' || user_id || '|' || user_name || '|' || channel || '|' || answered_at FROM answers")
            .ToDictionary(r => r.Id, r => r.Row);
    }
}
