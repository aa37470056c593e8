using System.Text.Json;
using DueDiligenceBot.Benchmarks;

// Usage: dotnet run -c Release --project tests/DueDiligenceBot.Benchmarks -- [benchmark ...]
// Prints one JSON object with a property per benchmark run; progress goes to standard error.
var all = BenchmarkRegistry.All;
var names = args.Length == 0 ? all.Keys.ToArray() : args;
var unknown = names.Where(n => !all.ContainsKey(n)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"unknown benchmark(s): {string.Join(", ", unknown)}; available: {string.Join(", ", all.Keys)}");
    return 2;
}
var results = new Dictionary<string, object>();
foreach (var name in names)
{
    Console.Error.WriteLine($"running {name} ...");
    results[name] = await all[name]();
}
results["machine"] = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString(), at = DateTimeOffset.UtcNow };
Console.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
return 0;
