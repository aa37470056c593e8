using System.Diagnostics;
using DueDiligenceBot.Core;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DueDiligenceBot.Benchmarks;

/// <summary>
/// Checklist turns through the conversation engine in-process on SQLite, one at a time: the cost of a turn
/// without HTTP, which bounds what the single SQLite writer can do.
/// </summary>
public static class EngineBenchmark
{
    public static async Task<object> RunAsync()
    {
        using var folder = new TempFolder();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:SqlitePath"] = folder.File("engine.db"),
            ["Review:MaxTurnsPerUserPerMinute"] = "100000",
        }).Build();
        var services = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Warning)).AddDueDiligenceCore(configuration);
        await using var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>().Where(h => h is not Core.Inbox.InboxWorker))
            await hosted.StartAsync(CancellationToken.None);
        var engine = provider.GetRequiredService<IConversationEngine>();

        var latencies = new List<double>();
        for (var v = 0; v < 60; v++)
        {
            var text = $"start review Engine Vendor {v}";
            for (var t = 0; t < 30; t++)
            {
                var sw = Stopwatch.StartNew();
                var replies = await engine.HandleAsync(new IncomingMessage("bench", $"c{v}", "u", "U", text));
                if (v >= 10) latencies.Add(sw.Elapsed.TotalMilliseconds); // the first ten vendors warm up
                var q = replies.LastOrDefault(r => r.Question is not null)?.Question;
                text = q is null ? "status" : PlausibleAnswer.For(q.Type);
            }
        }
        latencies.Sort();
        return new
        {
            turns = latencies.Count,
            mean_ms = Math.Round(latencies.Average(), 3),
            p50_ms = LoadBenchmark.Percentile(latencies, 0.5),
            p99_ms = LoadBenchmark.Percentile(latencies, 0.99),
        };
    }
}
