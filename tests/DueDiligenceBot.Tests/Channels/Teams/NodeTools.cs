using System.Diagnostics;

namespace DueDiligenceBot.Tests.Channels.Teams;

/// <summary>
/// The npm tools of the Teams tests (Microsoft's adaptivecards renderer, the Teams manifest schemas, the Agents
/// Playground), installed into tests/DueDiligenceBot.Tests/Channels/Teams/node by .ci/run with
/// <c>npm ci --prefix tests/DueDiligenceBot.Tests/Channels/Teams/node</c>. Nothing is fetched at test time.
/// </summary>
public static class NodeTools
{
    public static readonly string Folder = Path.Combine(Support.TestPaths.RepoRoot, "tests", "DueDiligenceBot.Tests", "Channels", "Teams", "node");

    public static bool Installed => Directory.Exists(Path.Combine(Folder, "node_modules", "adaptivecards"))
        && Directory.Exists(Path.Combine(Folder, "node_modules", "@microsoft", "app-manifest"));

    public static bool InCi => Environment.GetEnvironmentVariable("CI") == "true";

    public const string MissingReason =
        "npm tools not installed: run 'npm ci --prefix tests/DueDiligenceBot.Tests/Channels/Teams/node' (in CI, CI=true, this test fails instead of skipping)";

    /// <summary>Runs a script of the node folder; returns its standard output. Bounded in time.</summary>
    public static async Task<string> RunAsync(string script, params string[] args)
    {
        if (!Installed) throw new InvalidOperationException(MissingReason);
        var start = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(Folder, script));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"node {script} exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}

/// <summary>A fact that needs the npm tools: skipped with the reason when they are missing outside CI; in CI it runs (and fails if they are missing).</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (!NodeTools.Installed && !NodeTools.InCi) Skip = NodeTools.MissingReason;
    }
}
