using System.Text.Json;
using DueDiligenceBot.Core.Knowledge;
using DueDiligenceBot.Knowledge;

namespace DueDiligenceBot.Cli;

/// <summary><c>ask "question" [--json]</c>: one framework question, answered from the notes.</summary>
public static class AskVerb
{
    public const string Usage = "usage: ask \"question\" [--json]";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextReader stdin, TextWriter stdout, CancellationToken ct)
    {
        var json = args.Contains("--json");
        var words = args.Where(a => a != "--json").ToList();
        var unknown = words.FirstOrDefault(w => w.StartsWith("--", StringComparison.Ordinal));
        if (unknown is not null)
        {
            await Console.Error.WriteLineAsync($"unknown option {unknown}; {Usage}");
            return CliVerbs.BadInput;
        }
        var question = string.Join(' ', words).Trim();
        if (question.Length == 0)
        {
            await Console.Error.WriteLineAsync($"no question given; {Usage}");
            return CliVerbs.BadInput;
        }
        if (question.Length > AskEndpoint.MaxQuestionLength)
        {
            await Console.Error.WriteLineAsync($"the question is {question.Length:N0} characters; at most {AskEndpoint.MaxQuestionLength:N0} are accepted");
            return CliVerbs.BadInput;
        }

        var answer = await services.GetRequiredService<IKnowledgeBase>().AskAsync(question, ct);
        if (json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(AskResponse.From(answer), AskResponse.Json));
            return CliVerbs.Ok;
        }
        await stdout.WriteLineAsync(answer.Text);
        if (answer.Citations.Count > 0)
        {
            await stdout.WriteLineAsync();
            foreach (var c in answer.Citations)
                await stdout.WriteLineAsync($"[{c.Number}] {c.Title} — {c.Section}{(c.Section.EndsWith('?') || c.Section.EndsWith('.') ? "" : ".")} Source: {c.Source}{(c.Url is null ? "" : " " + c.Url)}");
        }
        return CliVerbs.Ok;
    }
}
