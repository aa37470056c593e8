using System.Diagnostics;
using System.Net;
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
public sealed partial class SemanticKernelAnswerWriter : IAnswerWriter, IDisposable
{
    public const string PromptFile = "answer-question.yaml";
    public const string NotInNotes = "NOT_IN_NOTES";

    private readonly LlmOptions _options;
    private readonly ILogger<SemanticKernelAnswerWriter> _logger;
    private readonly HttpClient _http;
    private readonly Kernel _kernel;
    private readonly KernelFunction _function;

    public SemanticKernelAnswerWriter(IOptions<LlmOptions> options, IOptions<KnowledgeOptions> knowledge, ILogger<SemanticKernelAnswerWriter> logger)
    {
        _options = options.Value;
        _logger = logger;
        var prompts = KnowledgeOptions.Locate(knowledge.Value.PromptsPath, "prompts", PromptFile);
        var prompt = PromptLoader.Load(Path.Combine(prompts, PromptFile), "question", "passages");

        // Our own deadline and retries govern the call: SK turns the SDK's retries off for a custom HttpClient.
        _http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var builder = Kernel.CreateBuilder();
        switch (_options.Provider)
        {
            case LlmProvider.AzureOpenAI:
                builder.AddAzureOpenAIChatCompletion(
                    deploymentName: _options.Deployment, endpoint: _options.Endpoint, apiKey: _options.ApiKey,
                    modelId: string.IsNullOrWhiteSpace(_options.Model) ? null : _options.Model, httpClient: _http);
                break;
            case LlmProvider.OpenAI when string.IsNullOrWhiteSpace(_options.Endpoint):
                builder.AddOpenAIChatCompletion(modelId: _options.Model, apiKey: _options.ApiKey, httpClient: _http);
                break;
            case LlmProvider.OpenAI:
#pragma warning disable SKEXP0010 // the custom-endpoint overload, for OpenAI-compatible servers
                builder.AddOpenAIChatCompletion(modelId: _options.Model, endpoint: new Uri(_options.Endpoint),
                    apiKey: string.IsNullOrWhiteSpace(_options.ApiKey) ? "not-needed" : _options.ApiKey, httpClient: _http);
#pragma warning restore SKEXP0010
                break;
            default:
                throw new InvalidOperationException("the model path is only built when Llm:Provider is set");
        }
        _kernel = builder.Build();
        _function = KernelFunctionFactory.CreateFromPrompt(prompt);
    }

    [GeneratedRegex(@"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")]
    private static partial Regex CitationPattern();

    public async Task<KnowledgeAnswer> WriteAsync(string question, IReadOnlyList<Passage> passages, KnowledgeAnswer fallback, CancellationToken ct)
    {
        if (passages.Count == 0) return fallback;
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        var arguments = new KernelArguments { ["question"] = question, ["passages"] = Render(passages) };

        string? reply = null;
        for (var attempt = 0; reply is null; attempt++)
        {
            try
            {
                var result = await _kernel.InvokeAsync(_function, arguments, deadline.Token);
                reply = result.GetValue<string>()?.Trim() ?? "";
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Log.ModelFallback(_logger, "timeout", Elapsed(started));
                return fallback;
            }
            catch (HttpOperationException e) when (attempt < _options.MaxRetries && IsTransient(e.StatusCode))
            {
                Log.ModelRetry(_logger, attempt + 1, (int?)e.StatusCode ?? 0);
            }
            catch (Exception e) when (e is HttpOperationException or KernelException or HttpRequestException or InvalidOperationException)
            {
                Log.ModelFallback(_logger, e is HttpOperationException h ? $"HTTP {(int?)h.StatusCode}" : e.GetType().Name, Elapsed(started));
                return fallback;
            }
        }

        if (reply.Length == 0 || reply.Contains(NotInNotes, StringComparison.Ordinal))
        {
            Log.ModelFallback(_logger, "no answer from the passages", Elapsed(started));
            return fallback;
        }
        var cited = new SortedSet<int>();
        foreach (Match m in CitationPattern().Matches(reply))
            foreach (var n in m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries))
                cited.Add(int.Parse(n, System.Globalization.CultureInfo.InvariantCulture));
        if (cited.Count == 0)
        {
            Log.ModelFallback(_logger, "no citations", Elapsed(started));
            return fallback;
        }
        if (cited.Any(n => passages.All(p => p.Number != n)))
        {
            Log.ModelFallback(_logger, "a citation names a passage that was not retrieved", Elapsed(started));
            return fallback;
        }
        Log.ModelAnswerUsed(_logger, passages.Count, cited.Count, Elapsed(started));
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

    private static bool IsTransient(HttpStatusCode? status) =>
        status is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    public void Dispose() => _http.Dispose();
}
