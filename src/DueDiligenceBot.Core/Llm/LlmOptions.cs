using System.ComponentModel.DataAnnotations;

namespace DueDiligenceBot.Core.Llm;

public enum LlmProvider
{
    /// <summary>No model: answers are composed offline from the notes (the default).</summary>
    None,
    /// <summary>Azure OpenAI: <see cref="LlmOptions.Endpoint"/> is the resource URL, <see cref="LlmOptions.Deployment"/> the deployment.</summary>
    AzureOpenAI,
    /// <summary>OpenAI or any OpenAI-compatible server: <see cref="LlmOptions.Endpoint"/> is its base URL (empty: api.openai.com).</summary>
    OpenAI,
}

/// <summary>
/// The optional language model that words answers. Off unless <see cref="Provider"/> is set; every failure
/// (timeout, error, an answer citing a passage that was not retrieved) falls back to the offline answer.
/// </summary>
public sealed class LlmOptions : IValidatableObject
{
    public const string SectionName = "Llm";

    public LlmProvider Provider { get; set; } = LlmProvider.None;

    /// <summary>Azure: the resource endpoint. OpenAI: the base URL of an OpenAI-compatible API (e.g. http://127.0.0.1:8080/v1).</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>Azure OpenAI deployment name.</summary>
    public string Deployment { get; set; } = "";

    /// <summary>Model id (OpenAI; optional for Azure).</summary>
    public string Model { get; set; } = "";

    public string ApiKey { get; set; } = "";

    /// <summary>The whole model call, retries included, must finish within this; then the offline answer is used.</summary>
    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Retries after a transient failure (HTTP 408, 429, 5xx, network), within <see cref="TimeoutSeconds"/>.</summary>
    [Range(0, 3)]
    public int MaxRetries { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == LlmProvider.None) yield break;
        var name = Provider.ToString();
        if (Provider == LlmProvider.AzureOpenAI)
        {
            if (string.IsNullOrWhiteSpace(Endpoint)) yield return Required("Endpoint", name);
            if (string.IsNullOrWhiteSpace(Deployment)) yield return Required("Deployment", name);
            if (string.IsNullOrWhiteSpace(ApiKey)) yield return Required("ApiKey", name);
        }
        else
        {
            if (string.IsNullOrWhiteSpace(Model)) yield return Required("Model", name);
            // api.openai.com needs a key; a self-hosted OpenAI-compatible server named by Endpoint may not.
            if (string.IsNullOrWhiteSpace(ApiKey) && string.IsNullOrWhiteSpace(Endpoint))
                yield return new ValidationResult($"{SectionName}:ApiKey is required when {SectionName}:Provider is OpenAI and no {SectionName}:Endpoint is set", ["ApiKey"]);
        }
        if (!string.IsNullOrWhiteSpace(Endpoint) &&
            (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
            yield return new ValidationResult($"{SectionName}:Endpoint must be an absolute http(s) URL", ["Endpoint"]);
    }

    private static ValidationResult Required(string key, string provider) =>
        new($"{SectionName}:{key} is required when {SectionName}:Provider is {provider}", [key]);
}
