using DueDiligenceBot.Core;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Cli;

/// <summary>
/// The command-line verbs. Each writes its result alone to standard output and its logs to standard error,
/// and exits 0 on success, 2 on bad input (1 on a failure of ours).
/// </summary>
public static class CliVerbs
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;

    private static readonly Dictionary<string, Func<IServiceProvider, string[], TextReader, TextWriter, CancellationToken, Task<int>>> Verbs = new()
    {
        ["chat"] = ChatVerb.RunAsync,
        ["ask"] = AskVerb.RunAsync,
        ["assess"] = AssessVerb.RunAsync,
    };

    public static bool IsVerb(string[] args) => args.Length > 0 && Verbs.ContainsKey(args[0]);

    public static async Task<int> RunAsync(string[] args, TextReader? stdin = null, TextWriter? stdout = null)
    {
        stdin ??= Console.In;
        stdout ??= Console.Out;
        var verb = args[0];
        // Verbs take configuration from the environment (Storage__SqlitePath=...) and parse their own arguments.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // Verbs are quiet: warnings and errors only (on standard error), unless the environment asks for more.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" });
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDueDiligenceCore(builder.Configuration);

        IHost host;
        try
        {
            host = builder.Build();
            await host.StartAsync();
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidOperationException or InvalidDataException or DirectoryNotFoundException)
        {
            await Console.Error.WriteLineAsync($"configuration error: {e.Message}");
            return BadInput;
        }
        using (host)
        {
            using var cts = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
            var code = await Verbs[verb](host.Services, args[1..], stdin, stdout, cts.Token);
            await host.StopAsync();
            return code;
        }
    }
}
