using System.Diagnostics;
using System.Net;
using System.Text;
using DueDiligenceBot.Channels.Slack;
using DueDiligenceBot.Core;
using DueDiligenceBot.Operations;
using DueDiligenceBot.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DueDiligenceBot.Benchmarks.Slack;

/// <summary>
/// Acknowledgement latency of signed <c>/dd</c> slash commands against the app on a loopback port: 1,000
/// requests at 50 concurrent (after a warm-up), each verified, de-duplicated in SQLite and queued. A
/// loopback fake of Slack takes the answers at their response_url, so no traffic leaves the machine. The
/// bar is p99 &lt; 100 ms.
/// </summary>
public static class SlackAckBenchmark
{
    private const string Secret = "benchmark-signing-secret";
    private const int Requests = 1000;
    private const int Concurrency = 50;
    private const int WarmUp = 100;

    public static async Task<object> RunAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ddbot-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var answered = 0;
        await using var fake = await StartFakeSlackAsync(() => Interlocked.Increment(ref answered));
        var fakeBase = Address(fake);
        await using var app = await StartAppAsync(folder, fakeBase);
        var appBase = Address(app);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri(appBase),
        };
        var errors = 0;
        async Task<double> SendAsync(int i)
        {
            using var request = Command(i, $"{fakeBase}/hooks/commands/T0001/{i}/x");
            var watch = Stopwatch.StartNew();
            using var response = await http.SendAsync(request);
            watch.Stop();
            if (response.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref errors);
            return watch.Elapsed.TotalMilliseconds;
        }

        for (var i = 0; i < WarmUp; i += Concurrency)
            await Task.WhenAll(Enumerable.Range(i, Concurrency).Select(SendAsync));
        errors = 0;

        var latencies = new double[Requests];
        var next = WarmUp - 1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next) - WarmUp) < Requests)
                latencies[n] = await SendAsync(n + WarmUp);
        }));
        total.Stop();

        // The answers are produced after the acks; report how long the queue took to drain.
        var drain = Stopwatch.StartNew();
        while (Volatile.Read(ref answered) < Requests + WarmUp && drain.Elapsed < TimeSpan.FromSeconds(120)) await Task.Delay(50);
        drain.Stop();

        Array.Sort(latencies);
        double P(double q) => Math.Round(latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)], 2);
        var p99 = P(0.99);
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        return new
        {
            requests = Requests,
            concurrency = Concurrency,
            ackP50Ms = P(0.50),
            ackP90Ms = P(0.90),
            ackP99Ms = p99,
            ackMaxMs = Math.Round(latencies[^1], 2),
            ackMeanMs = Math.Round(latencies.Average(), 2),
            requestsPerSecond = Math.Round(Requests / total.Elapsed.TotalSeconds, 1),
            errors,
            answeredAtResponseUrl = Volatile.Read(ref answered),
            drainSecondsAfterLastAck = Math.Round(drain.Elapsed.TotalSeconds, 2),
            bar = "p99 under 100 ms",
            meetsBar = p99 < 100 && errors == 0,
        };
    }

    private static HttpRequestMessage Command(int i, string responseUrl)
    {
        var body = string.Join("&", new Dictionary<string, string>
        {
            ["token"] = "ignored", ["team_id"] = "T0001", ["team_domain"] = "bench", ["channel_id"] = "C0001",
            ["channel_name"] = "general", ["user_id"] = $"U{i % 200:D4}", ["user_name"] = "bench", ["command"] = "/dd",
            ["text"] = "what is a bridge letter", ["response_url"] = responseUrl, ["trigger_id"] = $"{i}.{Guid.NewGuid():N}",
        }.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
        var bytes = Encoding.UTF8.GetBytes(body);
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/slack/commands") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
        request.Headers.Add("X-Slack-Request-Timestamp", ts);
        request.Headers.Add("X-Slack-Signature", SlackSignature.Compute(Secret, ts, bytes));
        return request;
    }

    /// <summary>The app as Program.cs builds it (keep the two in step), on a loopback port, with Slack pointed at the fake.</summary>
    private static async Task<WebApplication> StartAppAsync(string folder, string fakeBase)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:SqlitePath"] = Path.Combine(folder, "bench.db"),
            ["Knowledge:Path"] = Path.Combine(RepoRoot(), "knowledge"),
            ["Slack:SigningSecret"] = Secret,
            ["Slack:BotToken"] = "xoxb-benchmark",
            ["Slack:ApiBaseUrl"] = fakeBase + "/api/",
            ["Slack:AllowedTeamIds:0"] = "T0001",
        });
        builder.AddOperations();
        builder.AddAccess();
        builder.Logging.ClearProviders(); // a log line per request would measure the console, not the ack
        builder.Services.AddDueDiligenceCore(builder.Configuration);
        builder.Services.AddChannels(builder.Configuration);
        var app = builder.Build();
        app.UseOperations();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapChannelEndpoints();
        await app.StartAsync();
        return app;
    }

    internal static async Task<WebApplication> StartFakeSlackAsync(Action onAnswer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/hooks/{**rest}", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            onAnswer();
            return Results.Text("ok");
        });
        app.MapPost("/api/{method}", async (HttpRequest request, string method) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            return method == "users.info"
                ? Results.Json(new { ok = true, user = new { id = "U", name = "bench", profile = new { display_name = "Bench" } } })
                : Results.Json(new { ok = true, ts = "1.1", channel = new { id = "D1" } });
        });
        await app.StartAsync();
        return app;
    }

    internal static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DueDiligenceBot.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }
}
