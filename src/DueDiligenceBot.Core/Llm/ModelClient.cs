using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace DueDiligenceBot.Core.Llm;

/// <summary>The outcome of one bounded model call: the reply, or why there is none.</summary>
public readonly record struct ModelReply(string? Text, string? Failure, long ElapsedMs)
{
    public bool Succeeded => Text is not null;
}

/// <summary>
/// The Semantic Kernel set-up shared by every model path (answers, memo narrative): one kernel and one
/// HttpClient built from <see cref="LlmOptions"/>, and a call bounded by <see cref="LlmOptions.TimeoutSeconds"/>
/// (retries included) with at most <see cref="LlmOptions.MaxRetries"/> retries after a transient failure.
/// Registered only when <c>Llm:Provider</c> is not None.
/// </summary>
public sealed class ModelClient : IDisposable
{
    private readonly LlmOptions _options;
    private readonly ILogger<ModelClient> _logger;
    private readonly HttpClient _http;

    public ModelClient(IOptions<LlmOptions> options, ILogger<ModelClient> logger)
    {
        _options = options.Value;
        _logger = logger;
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
        Kernel = builder.Build();
    }

    public Kernel Kernel { get; }

    /// <summary>
    /// Invokes <paramref name="function"/> within the configured deadline and retries. Never throws for a model
    /// failure (timeout, HTTP error, network): the reply then carries the reason. Cancellation of
    /// <paramref name="ct"/> by the caller is still thrown.
    /// </summary>
    public async Task<ModelReply> InvokeAsync(KernelFunction function, KernelArguments arguments, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var result = await Kernel.InvokeAsync(function, arguments, deadline.Token);
                return new ModelReply(result.GetValue<string>()?.Trim() ?? "", null, Elapsed(started));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return new ModelReply(null, "timeout", Elapsed(started));
            }
            catch (HttpOperationException e) when (attempt < _options.MaxRetries && IsTransient(e.StatusCode))
            {
                Log.ModelRetry(_logger, attempt + 1, (int?)e.StatusCode ?? 0);
            }
            catch (Exception e) when (e is HttpOperationException or KernelException or HttpRequestException or InvalidOperationException)
            {
                return new ModelReply(null, e is HttpOperationException h ? $"HTTP {(int?)h.StatusCode}" : e.GetType().Name, Elapsed(started));
            }
        }
    }

    private static bool IsTransient(HttpStatusCode? status) =>
        status is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    public void Dispose() => _http.Dispose();
}
