namespace DueDiligenceBot.Benchmarks;

/// <summary>Every benchmark by name; each returns an object that is printed as JSON.</summary>
public static class BenchmarkRegistry
{
    public static IReadOnlyDictionary<string, Func<Task<object>>> All { get; } = new Dictionary<string, Func<Task<object>>>
    {
        ["engine"] = EngineBenchmark.RunAsync,
        ["load"] = LoadBenchmark.RunAsync,
        ["retrieval"] = Retrieval.RetrievalBenchmark.RunAsync,
        ["memo"] = MemoBenchmark.RunAsync,
        ["slack-ack"] = Slack.SlackAckBenchmark.RunAsync,
    };
}
