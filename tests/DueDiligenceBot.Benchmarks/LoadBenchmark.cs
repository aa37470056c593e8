using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using DueDiligenceBot.Tests.Support;
using Npgsql;

namespace DueDiligenceBot.Benchmarks;

/// <summary>
/// N concurrent conversations walking the checklist over loopback HTTP (web chat endpoint) against real
/// app processes: one instance on SQLite, and two instances on one PostgreSQL (requests alternate between
/// them). Prints turns per second and per-turn latency.
/// </summary>
public static class LoadBenchmark
{
    public static async Task<object> RunAsync()
    {
        var conversations = int.Parse(Environment.GetEnvironmentVariable("DDBOT_LOAD_CONVERSATIONS") ?? "100");
        var turns = int.Parse(Environment.GetEnvironmentVariable("DDBOT_LOAD_TURNS") ?? "30");
        var results = new Dictionary<string, object>();

        using (var folder = new TempFolder())
        {
            var env = Env(new() { ["Storage__SqlitePath"] = folder.File("load.db") });
            await using var app = await AppProcess.StartAsync(folder.Path, env);
            results["sqlite_1_instance"] = await DriveAsync([app.Address], conversations, turns);
        }

        var server = Environment.GetEnvironmentVariable("DDBOT_TEST_POSTGRES");
        if (server is null)
        {
            results["postgres_2_instances"] = "skipped: DDBOT_TEST_POSTGRES is not set (eval \"$(bash .ci/start-postgres)\")";
        }
        else
        {
            var name = "ddbot_load_" + Guid.NewGuid().ToString("N")[..8];
            await ExecAsync(server, $"CREATE DATABASE \"{name}\"");
            try
            {
                using var folder = new TempFolder();
                var cs = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 50 }.ConnectionString;
                var env = Env(new() { ["Storage__Provider"] = "Postgres", ["Storage__ConnectionString"] = cs });
                await using var a = await AppProcess.StartAsync(folder.Path, env);
                await using var b = await AppProcess.StartAsync(folder.Path, env);
                results["postgres_2_instances"] = await DriveAsync([a.Address, b.Address], conversations, turns);
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                await ExecAsync(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            }
        }
        results["conversations"] = conversations;
        results["turns_per_conversation"] = turns;
        return results;
    }

    private static Dictionary<string, string> Env(Dictionary<string, string> extra)
    {
        extra["Review__MaxTurnsPerUserPerMinute"] = "100000";
        extra["Review__ApiRequestsPerMinutePerClient"] = "1000000";
        extra["Logging__LogLevel__Default"] = "Warning";
        extra["ASPNETCORE_ENVIRONMENT"] = "Development"; // the web chat needs no sign-in there
        return extra;
    }

    private static async Task ExecAsync(string cs, string sql)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<object> DriveAsync(Uri[] instances, int conversations, int turnsEach)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = conversations * 2 }) { Timeout = TimeSpan.FromSeconds(30) };
        // Warm-up: one conversation's first turns on each instance.
        foreach (var i in instances) await SayAsync(http, i, "warmup", "start review Warmup Vendor");

        var latencies = new List<double>[conversations];
        var failures = 0;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, conversations).Select(async c =>
        {
            latencies[c] = new List<double>(turnsEach);
            var text = $"start review Load Vendor {c}";
            for (var t = 0; t < turnsEach; t++)
            {
                var instance = instances[(c + t) % instances.Length];
                var sw = Stopwatch.StartNew();
                JsonElement reply;
                try { reply = await SayAsync(http, instance, $"load-{c}", text); }
                catch (HttpRequestException) { Interlocked.Increment(ref failures); continue; }
                latencies[c].Add(sw.Elapsed.TotalMilliseconds);
                text = NextAnswer(reply) ?? $"start review Load Vendor {c} again {t}";
            }
        }));
        total.Stop();
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new
        {
            instances = instances.Length,
            turns = all.Count,
            failures,
            seconds = Math.Round(total.Elapsed.TotalSeconds, 2),
            turns_per_second = Math.Round(all.Count / total.Elapsed.TotalSeconds, 1),
            p50_ms = Percentile(all, 0.50),
            p99_ms = Percentile(all, 0.99),
            max_ms = Math.Round(all[^1], 2),
        };
    }

    private static async Task<JsonElement> SayAsync(HttpClient http, Uri instance, string conversation, string text)
    {
        var response = await http.PostAsJsonAsync(new Uri(instance, "/api/webchat/messages"),
            new { conversationId = conversation, userId = conversation, userName = "Load", text });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A plausible answer to the question the reply asks, or null when it asks none.</summary>
    private static string? NextAnswer(JsonElement reply)
    {
        var q = reply.GetProperty("replies").EnumerateArray().LastOrDefault(r => r.GetProperty("question").ValueKind == JsonValueKind.Object);
        if (q.ValueKind != JsonValueKind.Object) return null;
        return q.GetProperty("question").GetProperty("type").GetString() switch
        {
            "yesno" => "yes",
            "choice" => "1",
            "multichoice" => "1, 2",
            "date" => "2026-06-30",
            "number" => "12",
            _ => "none",
        };
    }

    internal static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)], 2);
}
