using System.Text;
using System.Text.RegularExpressions;
using DueDiligenceBot.Core.Knowledge;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace DueDiligenceBot.Core.Llm;

/// <summary>
/// Words an answer with a language model through Semantic Kernel, from the retrieved passages only. The
/// model's reply is used only when it cites at least one passage and every citation names a passage it was
/// given; a timeout, an error, "NOT_IN_NOTES" or a stray citation all return the offline answer.
/// </summary>
public sealed partial class SemanticKernelAnswerWriter : IAnswerWriter
{
    public const string PromptFile = "answer-question.yaml";
    public const string NotInNotes = "NOT_IN_NOTES";

    private readonly ModelClient _model;
    private readonly ILogger<SemanticKernelAnswerWriter> _logger;
    private readonly KernelFunction _function;

    public SemanticKernelAnswerWriter(ModelClient model, IOptions<KnowledgeOptions> knowledge, ILogger<SemanticKernelAnswerWriter> logger)
    {
        _model = model;
        _logger = logger;
        var prompts = KnowledgeOptions.Locate(knowledge.Value.PromptsPath, "prompts", PromptFile);
        var prompt = PromptLoader.Load(Path.Combine(prompts, PromptFile), "question", "passages");
        _function = KernelFunctionFactory.CreateFromPrompt(prompt);
    }

    [GeneratedRegex(@"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")]
    private static partial Regex CitationPattern();

    public async Task<KnowledgeAnswer> WriteAsync(string question, IReadOnlyList<Passage> passages, KnowledgeAnswer fallback, CancellationToken ct)
    {
        if (passages.Count == 0) return fallback;
        var arguments = new KernelArguments { ["question"] = question, ["passages"] = Render(passages) };
        var result = await _model.InvokeAsync(_function, arguments, ct);
        if (result.Text is not { } reply)
        {
            Log.ModelFallback(_logger, result.Failure!, result.ElapsedMs);
            return fallback;
        }
        var elapsed = result.ElapsedMs;

        if (reply.Length == 0 || reply.Contains(NotInNotes, StringComparison.Ordinal))
        {
            Log.ModelFallback(_logger, "no answer from the passages", elapsed);
            return fallback;
        }
        var cited = new SortedSet<int>();
        foreach (Match m in CitationPattern().Matches(reply))
            foreach (var n in m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries))
                cited.Add(int.Parse(n, System.Globalization.CultureInfo.InvariantCulture));
        if (cited.Count == 0)
        {
            Log.ModelFallback(_logger, "no citations", elapsed);
            return fallback;
        }
        if (cited.Any(n => passages.All(p => p.Number != n)))
        {
            Log.ModelFallback(_logger, "a citation names a passage that was not retrieved", elapsed);
            return fallback;
        }
        Log.ModelAnswerUsed(_logger, passages.Count, cited.Count, elapsed);
        var citations = passages.Where(p => cited.Contains(p.Number)).Select(p => p.ToCitation()).ToList();
        return new KnowledgeAnswer(reply, Abstained: false, citations, []);
    }

    private static string Render(IReadOnlyList<Passage> passages)
    {
        var sb = new StringBuilder();
        foreach (var p in passages)
        {
            sb.Append('[').Append(p.Number).Append("] ").Append(p.Section.Note.Title).Append(" — ").AppendLine(p.Section.Section.Heading);
            sb.AppendLine(p.Section.Section.Text.Trim());
            sb.AppendLine();
        }
        return sb.ToString().TrimEnd();
    }
}
