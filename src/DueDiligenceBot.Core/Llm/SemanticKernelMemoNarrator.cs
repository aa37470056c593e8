using DueDiligenceBot.Core.Knowledge;
using DueDiligenceBot.Core.Memo;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace DueDiligenceBot.Core.Llm;

/// <summary>
/// Writes the memo's executive summary with the configured model through Semantic Kernel and
/// <c>prompts/risk-memo.yaml</c>, given <see cref="NarrativeCheck.Facts"/> (vendor answers quoted as data).
/// Returns the raw reply, which the caller checks with <see cref="NarrativeCheck"/> before using it; a
/// timeout or an error returns null, so the deterministic summary stands.
/// </summary>
public sealed class SemanticKernelMemoNarrator : IMemoNarrator
{
    public const string PromptFile = "risk-memo.yaml";

    private readonly ModelClient _model;
    private readonly ILogger<SemanticKernelMemoNarrator> _logger;
    private readonly KernelFunction _function;

    public SemanticKernelMemoNarrator(ModelClient model, IOptions<KnowledgeOptions> knowledge, ILogger<SemanticKernelMemoNarrator> logger)
    {
        _model = model;
        _logger = logger;
        var prompts = KnowledgeOptions.Locate(knowledge.Value.PromptsPath, "prompts", PromptFile);
        _function = KernelFunctionFactory.CreateFromPrompt(PromptLoader.Load(Path.Combine(prompts, PromptFile), "memo_facts"));
    }

    public async Task<string?> SummariseAsync(MemoDocument memo, CancellationToken ct)
    {
        var result = await _model.InvokeAsync(_function, new KernelArguments { ["memo_facts"] = NarrativeCheck.Facts(memo) }, ct);
        if (result.Text is not { Length: > 0 } reply)
        {
            Log.NarrativeModelFailed(_logger, result.Failure ?? "empty reply", result.ElapsedMs);
            return null;
        }
        return reply;
    }
}
