using System.Collections.Concurrent;
using System.Net;
using Dapper;
using DueDiligenceBot.Tests.Channels.Slack;
using DueDiligenceBot.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace DueDiligenceBot.Tests.MultiInstance;

/// <summary>The real app process killed with SIGKILL while Slack events pour in, then started again.</summary>
public sealed class DurableTurnTests(ITestOutputHelper output)
{
    private const int Events = 200;

    [Fact]
    public async Task Every_acknowledged_event_is_processed_exactly_once_after_a_kill_under_load()
    {
        using var folder = new TempFolder();
        await using var slack = await FakeSlack.StartAsync();
        var env = new Dictionary<string, string>
        {
            ["Storage__SqlitePath"] = folder.File("kill.db"),
            ["Slack__SigningSecret"] = SlackTestApp.Secret,
            ["Slack__BotToken"] = "xoxb-test-token",
            ["Slack__ApiBaseUrl"] = slack.ApiBaseUrl,
            ["Slack__AllowedTeamIds__0"] = SlackTestApp.Team,
            ["Review__MaxTurnsPerUserPerMinute"] = "100000",
        };
        var port = AppProcess.FreePort();
        var acknowledged = new ConcurrentBag<int>();
        var refused = 0;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        await using (var first = await AppProcess.StartAsync(folder.Path, env, port))
        {
            var next = -1;
            var sending = Enumerable.Range(0, 8).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < Events)
                {
                    // One vendor per event, each in its own DM: a review per vendor proves the turn ran once.
                    using var request = SlackTestApp.Event(SlackTestApp.DirectMessage($"start review Kill Vendor {i}", $"1700000000.{i:D6}", user: $"U{i}", channel: $"D{i}"), $"Ev{i:D6}");
                    request.RequestUri = new Uri(first.Address, request.RequestUri!);
                    try
                    {
                        using var response = await http.SendAsync(request);
                        if (response.StatusCode == HttpStatusCode.OK) acknowledged.Add(i);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
            }).ToArray();
            // Kill while events are still arriving and turns are still in flight.
            while (acknowledged.Count < Events / 3) await Task.Delay(5);
            first.Kill();
            await Task.WhenAll(sending);
        }

        await using var second = await AppProcess.StartAsync(folder.Path, env, port);
        var acked = acknowledged.ToHashSet();
        // Rows leased by the killed process are taken again when their lease runs out (up to a minute), so wait
        // until nothing stored is still open, not merely until as many rows are delivered as were acknowledged.
        var deadline = DateTime.UtcNow.AddSeconds(120);
        int delivered, open;
        do
        {
            await Task.Delay(200);
            delivered = Query<int>(folder, "SELECT COUNT(*) FROM inbox WHERE status = 'delivered'").Single();
            open = Query<int>(folder, "SELECT COUNT(*) FROM inbox WHERE status IN ('pending', 'processed')").Single();
        } while ((open > 0 || delivered < acked.Count) && DateTime.UtcNow < deadline);

        var reviewsPerVendor = Query<(string Name, int Reviews)>(folder,
            "SELECT v.name, COUNT(r.id) FROM vendors v JOIN reviews r ON r.vendor_id = v.id GROUP BY v.id").ToDictionary(r => r.Name, r => r.Reviews);
        var stored = Query<string>(folder, "SELECT dedup_key FROM inbox").ToHashSet();
        var missing = acked.Where(i => !reviewsPerVendor.ContainsKey($"Kill Vendor {i}")).ToList();
        var twice = reviewsPerVendor.Where(kv => kv.Value != 1).Select(kv => kv.Key).ToList();

        output.WriteLine($"sent {Events}, acknowledged {acked.Count}, refused while down {refused}, stored {stored.Count}, " +
                         $"processed {reviewsPerVendor.Count}, delivered {delivered}, still open {open}, missing {missing.Count}, processed twice {twice.Count}");
        Assert.True(acked.Count >= Events / 3 && acked.Count < Events, $"the kill should land mid-load ({acked.Count} acknowledged)");
        Assert.All(acked, i => Assert.Contains($"Ev{i:D6}", stored));
        Assert.Empty(missing);
        Assert.Empty(twice);
        Assert.True(delivered >= acked.Count, $"{delivered} delivered of {acked.Count} acknowledged");
    }

    private static List<T> Query<T>(TempFolder folder, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={folder.File("kill.db")}");
        return connection.Query<T>(sql).ToList();
    }
}
