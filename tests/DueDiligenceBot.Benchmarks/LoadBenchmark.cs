using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using DueDiligenceBot.Tests.Support;
using Npgsql;

namespace DueDiligenceBot.Benchmarks;

/// <summary>
/// N concurrent conversations walking the checklist over loopback HTTP against real app processes: one
/// instance on SQLite, and two instances on one PostgreSQL (requests alternate between them). Per database:
/// the web chat closed loop (every conversation sends its next turn as soon as the reply arrives: the most
/// the instances can take, with the queueing that brings), the web chat paced at DDBOT_LOAD_RATE turns/s
/// (latency at that throughput), and the same conversations as signed Slack events (acknowledgement and
/// end-to-end). Prints turns per second, latency percentiles and CPU per turn as JSON.
/// Knobs: DDBOT_LOAD_CONVERSATIONS (100), DDBOT_LOAD_TURNS per conversation (60), DDBOT_LOAD_RATE (1000;
/// 0 skips the paced run), DDBOT_LOAD_WARMUP_SECONDS (20), DDBOT_LOAD_DATABASES (sqlite,postgres),
/// DDBOT_LOAD_CHANNELS (webchat,slack).
/// </summary>
public static class LoadBenchmark
{
    public static async Task<object> RunAsync()
    {
        var conversations = int.Parse(Environment.GetEnvironmentVariable("DDBOT_LOAD_CONVERSATIONS") ?? "100");
        var turns = int.Parse(Environment.GetEnvironmentVariable("DDBOT_LOAD_TURNS") ?? "60");
        var rate = double.Parse(Environment.GetEnvironmentVariable("DDBOT_LOAD_RATE") ?? "1000", System.Globalization.CultureInfo.InvariantCulture);
        var databases = (Environment.GetEnvironmentVariable("DDBOT_LOAD_DATABASES") ?? "sqlite,postgres").Split(',');
        var channels = (Environment.GetEnvironmentVariable("DDBOT_LOAD_CHANNELS") ?? "webchat,slack").Split(',');
        var results = new Dictionary<string, object>();

        var fakeSlack = await Slack.SlackAckBenchmark.StartFakeSlackAsync(() => { });
        var slackEnv = new Dictionary<string, string>
        {
            ["Slack__SigningSecret"] = SlackSecret,
            ["Slack__BotToken"] = "xoxb-bench",
            ["Slack__ApiBaseUrl"] = Slack.SlackAckBenchmark.Address(fakeSlack) + "/api/",
        };
        if (databases.Contains("sqlite"))
        {
            using var folder = new TempFolder();
            var env = Env(new(slackEnv) { ["Storage__SqlitePath"] = folder.File("load.db") });
            await using var app = await AppProcess.StartAsync(folder.Path, env);
            if (channels.Contains("webchat"))
            {
                results["sqlite_1_instance"] = await DriveAsync([app], conversations, turns);
                if (rate > 0) results["sqlite_1_instance_paced"] = await PaceAsync([app], conversations, turns, rate);
            }
            if (channels.Contains("slack"))
                results["sqlite_1_instance_slack"] = await DriveSlackAsync([app.Address], conversations, turns, folder.File("load.db"), null);
        }

        var server = Environment.GetEnvironmentVariable("DDBOT_TEST_POSTGRES");
        if (!databases.Contains("postgres")) { }
        else if (server is null)
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
                var env = Env(new(slackEnv) { ["Storage__Provider"] = "Postgres", ["Storage__ConnectionString"] = cs });
                await using var a = await AppProcess.StartAsync(folder.Path, env);
                await using var b = await AppProcess.StartAsync(folder.Path, env);
                if (channels.Contains("webchat"))
                {
                    results["postgres_2_instances"] = await DriveAsync([a, b], conversations, turns, postgres: true);
                    if (rate > 0) results["postgres_2_instances_paced"] = await PaceAsync([a, b], conversations, turns, rate, postgres: true);
                }
                if (channels.Contains("slack"))
                    results["postgres_2_instances_slack"] = await DriveSlackAsync([a.Address, b.Address], conversations, turns, null, cs);
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                await ExecAsync(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            }
        }
        await fakeSlack.DisposeAsync();
        results["conversations"] = conversations;
        results["turns_per_conversation"] = turns;
        return results;
    }

    private const string SlackSecret = "bench-signing-secret-0123456789abcdef";

    private static int Delivered(string? sqlitePath, string? postgres) =>
        Convert.ToInt32(Query(sqlitePath, postgres, "SELECT COUNT(*) FROM inbox WHERE status = 'delivered'").Single()[0]);

    private static List<object[]> Query(string? sqlitePath, string? postgres, string sql)
    {
        using System.Data.Common.DbConnection c = sqlitePath is not null
            ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={sqlitePath}")
            : new NpgsqlConnection(postgres);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<object[]>();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Per event, from the inbox's own timestamps: stored → turn committed, and stored → replies delivered (ms).</summary>
    private static (List<double> Processed, List<double> Delivered) EventTimes(string? sqlitePath, string? postgres)
    {
        var processed = new List<double>();
        var delivered = new List<double>();
        foreach (var row in Query(sqlitePath, postgres, "SELECT received_at, processed_at, delivered_at FROM inbox WHERE status = 'delivered' AND dedup_key LIKE 'EvLoad%'"))
        {
            var received = DateTimeOffset.Parse((string)row[0], System.Globalization.CultureInfo.InvariantCulture);
            processed.Add((DateTimeOffset.Parse((string)row[1], System.Globalization.CultureInfo.InvariantCulture) - received).TotalMilliseconds);
            delivered.Add((DateTimeOffset.Parse((string)row[2], System.Globalization.CultureInfo.InvariantCulture) - received).TotalMilliseconds);
        }
        processed.Sort();
        delivered.Sort();
        return (processed, delivered);
    }

    /// <summary>
    /// The same conversations as Slack DMs: signed events to /api/slack/events, acknowledged at once; turns run
    /// in the inbox workers. Reports the acknowledgement latency and the end-to-end rate (all turns delivered).
    /// </summary>
    private static async Task<object> DriveSlackAsync(Uri[] instances, int conversations, int turnsEach, string? sqlitePath, string? postgres)
    {
        int delivered() => Delivered(sqlitePath, postgres);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = conversations * 2 }) { Timeout = TimeSpan.FromSeconds(30) };
        var before = delivered();
        var latencies = new List<double>[conversations];
        var failures = 0;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, conversations).Select(async c =>
        {
            latencies[c] = new List<double>(turnsEach);
            for (var t = 0; t < turnsEach; t++)
            {
                var text = t == 0 ? $"start review Slack Load Vendor {c}" : "skip";
                var body = JsonSerializer.Serialize(new
                {
                    type = "event_callback", team_id = "T1", event_id = $"EvLoad{c}x{t}x{instances.Length}",
                    @event = new { type = "message", channel_type = "im", channel = $"DL{c}", user = $"UL{c}", text, ts = $"1700000000.{c:D3}{t:D3}" },
                });
                var bytes = System.Text.Encoding.UTF8.GetBytes(body);
                var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(instances[(c + t) % instances.Length], "/api/slack/events")) { Content = new ByteArrayContent(bytes) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                request.Headers.Add("X-Slack-Request-Timestamp", ts);
                request.Headers.Add("X-Slack-Signature", DueDiligenceBot.Channels.Slack.SlackSignature.Compute(SlackSecret, ts, bytes));
                var sw = Stopwatch.StartNew();
                try
                {
                    using var response = await http.SendAsync(request);
                    if (!response.IsSuccessStatusCode) { Interlocked.Increment(ref failures); continue; }
                }
                catch (HttpRequestException) { Interlocked.Increment(ref failures); continue; }
                latencies[c].Add(sw.Elapsed.TotalMilliseconds);
            }
        }));
        var acked = total.Elapsed.TotalSeconds;
        var expected = before + latencies.Sum(l => l.Count);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (delivered() < expected && DateTime.UtcNow < deadline) await Task.Delay(50);
        total.Stop();
        var all = latencies.SelectMany(l => l).Order().ToList();
        var (processedMs, deliveredMs) = EventTimes(sqlitePath, postgres);
        return new
        {
            instances = instances.Length,
            events = all.Count,
            failures,
            delivered = delivered() - before,
            ack_p50_ms = Percentile(all, 0.50),
            ack_p99_ms = Percentile(all, 0.99),
            acks_per_second = Math.Round(all.Count / acked, 1),
            turns_per_second_end_to_end = Math.Round(all.Count / total.Elapsed.TotalSeconds, 1),
            stored_to_processed_p50_ms = Percentile(processedMs, 0.50),
            stored_to_processed_p99_ms = Percentile(processedMs, 0.99),
            stored_to_delivered_p50_ms = Percentile(deliveredMs, 0.50),
            stored_to_delivered_p99_ms = Percentile(deliveredMs, 0.99),
        };
    }

    private static Dictionary<string, string> Env(Dictionary<string, string> extra)
    {
        extra["Review__MaxTurnsPerUserPerMinute"] = "100000";
        extra["Review__ApiRequestsPerMinutePerClient"] = "1000000";
        extra["Logging__LogLevel__Default"] = "Warning";
        extra["ASPNETCORE_ENVIRONMENT"] = "Production"; // as deployed; without Review:SignIn that is local mode (loopback only)
        return extra;
    }

    private static async Task ExecAsync(string cs, string sql)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Warm-up first (the same load, unmeasured, so the JIT has compiled the hot paths at full tier, as in a
    /// server that has been up for a minute), then the measured run. Also reports the CPU time the app
    /// processes and this client used per turn: both share the same cores.
    /// </summary>
    private static async Task<object> DriveAsync(AppProcess[] apps, int conversations, int turnsEach, bool postgres = false)
    {
        var instances = apps.Select(a => a.Address).ToArray();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = conversations * 2 }) { Timeout = TimeSpan.FromSeconds(30) };
        // Warm-up: the same load, unmeasured, for a fixed time. .NET compiles hot code again with optimisations
        // (tiered compilation) in the background, and under full load that takes several seconds; a server that
        // has been up a minute runs the optimised code, so that is what is measured.
        var warmupSeconds = int.Parse(Environment.GetEnvironmentVariable("DDBOT_LOAD_WARMUP_SECONDS") ?? "20");
        var warmup = Stopwatch.StartNew();
        var warmupTurns = 0;
        for (var round = 0; warmup.Elapsed.TotalSeconds < warmupSeconds; round++)
            warmupTurns += (await WalkAsync(http, instances, conversations, 30, $"warmup{round}")).Latencies.Sum(l => l.Count);

        var spread = await SpreadAsync(http, instances, conversations, "load");
        var serverCpu = apps.Sum(a => a.CpuTime.TotalMilliseconds);
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
        var databaseCpu = postgres ? PostgresCpuMilliseconds() : 0;
        var total = Stopwatch.StartNew();
        var (latencies, failures) = await WalkAsync(http, instances, conversations, turnsEach, "load", spread);
        total.Stop();
        serverCpu = apps.Sum(a => a.CpuTime.TotalMilliseconds) - serverCpu;
        clientCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds - clientCpu;
        databaseCpu = postgres ? PostgresCpuMilliseconds() - databaseCpu : 0;
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new
        {
            instances = instances.Length,
            warmup_seconds = Math.Round(warmup.Elapsed.TotalSeconds, 1),
            warmup_turns = warmupTurns,
            turns = all.Count,
            failures,
            seconds = Math.Round(total.Elapsed.TotalSeconds, 2),
            turns_per_second = Math.Round(all.Count / total.Elapsed.TotalSeconds, 1),
            p50_ms = Percentile(all, 0.50),
            p90_ms = Percentile(all, 0.90),
            p99_ms = Percentile(all, 0.99),
            max_ms = Math.Round(all[^1], 2),
            app_cpu_ms_per_turn = Math.Round(serverCpu / Math.Max(1, all.Count), 3),
            client_cpu_ms_per_turn = Math.Round(clientCpu / Math.Max(1, all.Count), 3),
            postgres_cpu_ms_per_turn = postgres ? Math.Round(databaseCpu / Math.Max(1, all.Count), 3) : (double?)null,
        };
    }

    /// <summary>
    /// Open loop: each conversation sends its turns on a fixed schedule, so that together they offer
    /// <paramref name="rate"/> turns per second (100 conversations at 1,000/s: one turn each every 100 ms,
    /// staggered). A turn whose reply comes late delays the next one, and every latency is counted from the
    /// time the turn was due, not from when it was sent, so a slow server cannot hide its queue. Runs on
    /// instances already warmed up by <see cref="DriveAsync"/>, with the conversations spread over the
    /// checklist first (<see cref="SpreadAsync"/>).
    /// </summary>
    private static async Task<object> PaceAsync(AppProcess[] apps, int conversations, int turnsEach, double rate, bool postgres = false)
    {
        var instances = apps.Select(a => a.Address).ToArray();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = conversations * 2 }) { Timeout = TimeSpan.FromSeconds(30) };
        var interval = TimeSpan.FromSeconds(conversations / rate);
        var texts = await SpreadAsync(http, instances, conversations, "paced");
        var serverCpu = apps.Sum(a => a.CpuTime.TotalMilliseconds);
        var databaseCpu = postgres ? PostgresCpuMilliseconds() : 0;
        var clock = Stopwatch.StartNew();
        var start = TimeSpan.FromMilliseconds(50);
        var latencies = new List<double>[conversations];
        var late = new List<double>[conversations];
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, conversations).Select(async c =>
        {
            latencies[c] = new List<double>(turnsEach);
            late[c] = new List<double>(turnsEach);
            var text = texts[c];
            var offset = start + interval * c / conversations;
            for (var t = 0; t < turnsEach; t++)
            {
                var due = offset + interval * t;
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                late[c].Add((clock.Elapsed - due).TotalMilliseconds);
                JsonElement reply;
                try { reply = await SayAsync(http, instances[(c + t) % instances.Length], $"paced-{c}", text); }
                catch (HttpRequestException) { Interlocked.Increment(ref failures); continue; }
                latencies[c].Add((clock.Elapsed - due).TotalMilliseconds);
                text = NextAnswer(reply) ?? $"start review paced Vendor {c} again {t}";
            }
        }));
        var elapsed = clock.Elapsed - start;
        serverCpu = apps.Sum(a => a.CpuTime.TotalMilliseconds) - serverCpu;
        databaseCpu = postgres ? PostgresCpuMilliseconds() - databaseCpu : 0;
        var all = latencies.SelectMany(l => l).Order().ToList();
        var sentLate = late.SelectMany(l => l).Order().ToList();
        return new
        {
            instances = instances.Length,
            offered_turns_per_second = rate,
            // How late turns left the client (its timers, or the previous reply arriving after this turn was due).
            sent_late_p50_ms = Percentile(sentLate, 0.50),
            sent_late_p99_ms = Percentile(sentLate, 0.99),
            turns = all.Count,
            failures,
            seconds = Math.Round(elapsed.TotalSeconds, 2),
            turns_per_second = Math.Round(all.Count / elapsed.TotalSeconds, 1),
            p50_ms = Percentile(all, 0.50),
            p90_ms = Percentile(all, 0.90),
            p99_ms = Percentile(all, 0.99),
            max_ms = Math.Round(all[^1], 2),
            app_cpu_ms_per_turn = Math.Round(serverCpu / Math.Max(1, all.Count), 3),
            postgres_cpu_ms_per_turn = postgres ? Math.Round(databaseCpu / Math.Max(1, all.Count), 3) : (double?)null,
        };
    }

    /// <summary>CPU time used so far by every PostgreSQL server process on this machine (Linux /proc), in ms.</summary>
    private static double PostgresCpuMilliseconds()
    {
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "postgres") continue;
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += double.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + double.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException) { } // the process ended meanwhile
            catch (UnauthorizedAccessException) { }
        }
        return ticks * 10; // USER_HZ is 100 on Linux
    }

    /// <summary>
    /// Unmeasured: conversation c starts its review and answers c mod 35 questions, so the conversations are
    /// spread over the checklist as real ones are. Started together, every review would complete (the
    /// costliest turn: the memo is built and stored) in the same instant, every 35 turns. Returns each
    /// conversation's next message.
    /// </summary>
    private static async Task<string[]> SpreadAsync(HttpClient http, Uri[] instances, int conversations, string prefix)
    {
        var texts = new string[conversations];
        await Task.WhenAll(Enumerable.Range(0, conversations).Select(async c =>
        {
            var text = $"start review {prefix} Vendor {c}";
            for (var t = 0; t < c % 35; t++)
                text = NextAnswer(await SayAsync(http, instances[t % instances.Length], $"{prefix}-{c}", text)) ?? $"start review {prefix} Vendor {c}";
            texts[c] = text;
        }));
        return texts;
    }

    private static async Task<(List<double>[] Latencies, int Failures)> WalkAsync(HttpClient http, Uri[] instances, int conversations, int turnsEach, string prefix,
        string[]? first = null)
    {
        var latencies = new List<double>[conversations];
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, conversations).Select(async c =>
        {
            latencies[c] = new List<double>(turnsEach);
            var text = first?[c] ?? $"start review {prefix} Vendor {c}";
            for (var t = 0; t < turnsEach; t++)
            {
                var instance = instances[(c + t) % instances.Length];
                var sw = Stopwatch.StartNew();
                JsonElement reply;
                try { reply = await SayAsync(http, instance, $"{prefix}-{c}", text); }
                catch (HttpRequestException) { Interlocked.Increment(ref failures); continue; }
                latencies[c].Add(sw.Elapsed.TotalMilliseconds);
                text = NextAnswer(reply) ?? $"start review {prefix} Vendor {c} again {t}";
            }
        }));
        return (latencies, failures);
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
        return PlausibleAnswer.For(q.GetProperty("question").GetProperty("type").GetString());
    }

    internal static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)], 2);
}
