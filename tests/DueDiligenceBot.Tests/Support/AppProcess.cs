using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DueDiligenceBot.Tests.Support;

/// <summary>
/// The real app as a child process (the built DueDiligenceBot.dll) on a loopback port, so tests can kill it
/// with SIGKILL and start it again on the same database.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private AppProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }
    public int Pid => _process.Id;

    /// <summary>CPU time (user + system) the app process has used so far; for benchmarks.</summary>
    public TimeSpan CpuTime
    {
        get { _process.Refresh(); return _process.TotalProcessorTime; }
    }
    public IReadOnlyList<string> Output { get { lock (_output) return _output.ToList(); } }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs the app expecting it to stop by itself (e.g. on bad configuration); returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(string workingDirectory, IDictionary<string, string> environment, string? urls = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DueDiligenceBot.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(urls ?? $"http://127.0.0.1:{FreePort()}");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["Knowledge__Path"] = TestPaths.Knowledge;
        foreach (var (k, v) in environment) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw new TimeoutException("the app did not stop within 60 s"); }
        return (process.ExitCode, await stdout + await stderr);
    }

    public static async Task<AppProcess> StartAsync(string workingDirectory, IDictionary<string, string> environment, int? port = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "DueDiligenceBot.dll");
        var address = new Uri($"http://127.0.0.1:{port ?? FreePort()}");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(address.ToString().TrimEnd('/'));
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["Knowledge__Path"] = TestPaths.Knowledge;
        foreach (var (k, v) in environment) info.Environment[k] = v;

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the app");
        var app = new AppProcess(process, address);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (app._output) app._output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (app._output) app._output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"the app exited with {process.ExitCode}:\n{string.Join("\n", app.Output)}");
            try
            {
                if ((await http.GetAsync(new Uri(address, "/healthz"))).IsSuccessStatusCode) return app;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        app.Kill();
        throw new TimeoutException($"the app did not become healthy within 60 s:\n{string.Join("\n", app.Output)}");
    }

    /// <summary>SIGKILL: no shutdown hooks run, as in a crash.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        await Task.CompletedTask;
    }
}
