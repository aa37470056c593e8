using System.Globalization;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Memo;

namespace DueDiligenceBot.Cli;

/// <summary>
/// <c>assess FILE [--as-of DATE] [--format md|json]</c>: the risk memo of a questionnaire exported from
/// elsewhere (the import format of shared/spec/checklist-keys.md). Nothing is stored. The memo alone goes
/// to standard output; problems go to standard error, one line per bad key, with exit code 2.
/// </summary>
public static class AssessVerb
{
    public const string Usage = "usage: assess FILE [--as-of YYYY-MM-DD] [--format md|json]";

    public static Task<int> RunAsync(IServiceProvider services, string[] args, TextReader stdin, TextWriter stdout, CancellationToken ct) =>
        RunAsync(services, args, stdout, Console.Error, ct);

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        string? file = null, format = "md";
        DateOnly? asOf = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--as-of" when i + 1 < args.Length:
                    if (!DateOnly.TryParseExact(args[++i], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                        return await Bad(stderr, $"--as-of must be a date written YYYY-MM-DD, not '{args[i]}'");
                    asOf = d;
                    break;
                case "--format" when i + 1 < args.Length:
                    format = args[++i];
                    if (format is not ("md" or "json")) return await Bad(stderr, $"--format must be md or json, not '{format}'");
                    break;
                case var a when a.StartsWith("--", StringComparison.Ordinal):
                    return await Bad(stderr, $"unknown or incomplete option '{a}'. {Usage}");
                default:
                    if (file is not null) return await Bad(stderr, $"only one FILE, please. {Usage}");
                    file = args[i];
                    break;
            }
        }
        if (file is null) return await Bad(stderr, Usage);
        if (!File.Exists(file)) return await Bad(stderr, $"{file}: no such file");
        if (new FileInfo(file).Length > AnswerImport.MaxFileBytes) return await Bad(stderr, $"{file}: larger than {AnswerImport.MaxFileBytes / 1024} KiB");

        var checklist = services.GetRequiredService<ChecklistDefinition>();
        var result = AnswerImport.Parse(await File.ReadAllTextAsync(file, ct), checklist);
        if (result is ImportResult.Rejected rejected)
        {
            foreach (var e in rejected.Errors) await stderr.WriteLineAsync($"{file}: {e}");
            await stderr.WriteLineAsync($"{file}: rejected ({rejected.Errors.Count} problem{(rejected.Errors.Count == 1 ? "" : "s")}); nothing was assessed");
            return CliVerbs.BadInput;
        }
        var accepted = (ImportResult.Accepted)result;
        var memos = services.GetRequiredService<ReviewMemoService>();
        var date = asOf ?? accepted.AsOf ?? memos.Today();
        var memo = await memos.AssessAsync(accepted.Vendor, date, accepted.Answers, Path.GetFileName(file), ct);
        await stdout.WriteAsync(format == "json" ? MemoJson.Render(memo) + "\n" : MemoMarkdown.Render(memo));
        await stdout.FlushAsync(ct);
        return CliVerbs.Ok;
    }

    private static async Task<int> Bad(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync(message);
        return CliVerbs.BadInput;
    }
}
