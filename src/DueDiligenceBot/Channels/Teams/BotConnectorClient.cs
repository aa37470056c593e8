using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Channels.Teams;

internal static class TeamsHttp
{
    public const string MetadataClient = "teams-metadata";
    public const string ConnectorClient = "teams-connector";
    public const string TokenClient = "teams-token";
}

/// <summary>What a Connector call came to: the id the Connector gave the activity, or a failure to log.</summary>
public sealed record SendResult(bool Ok, int Status, string? ActivityId)
{
    public static SendResult Refused(string reason) => new(false, 0, reason);
}

/// <summary>
/// Decides which service URLs may receive the bot's token: https hosts on the allow-list (suffix match, as in
/// Microsoft's OutboundHostValidator), and http only on loopback (the Playground and the test fakes).
/// In anonymous Development mode only loopback is accepted.
/// </summary>
public sealed class ServiceUrlPolicy(IOptions<TeamsOptions> options)
{
    private readonly TeamsOptions _options = options.Value;

    public bool IsAllowed(string? serviceUrl)
    {
        if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0) return false;
        if (_options.IsAnonymous) return uri.IsLoopback && uri.Scheme is "http" or "https";
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback) return false;
        if (uri.Scheme is not ("http" or "https")) return false;
        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        return _options.EffectiveServiceUrlHosts.Any(suffix =>
        {
            var s = suffix.Trim().TrimEnd('.').ToLowerInvariant();
            return host == s || host.EndsWith("." + s, StringComparison.Ordinal);
        });
    }
}

/// <summary>
/// Client-credentials tokens for <c>https://api.botframework.com/.default</c>, one form POST to the configured
/// token endpoint, cached until five minutes before they expire.
/// </summary>
public sealed class BotTokenProvider(IHttpClientFactory httpClients, IOptions<TeamsOptions> options, TimeProvider clock, ILogger<BotTokenProvider> logger)
{
    public const string Scope = "https://api.botframework.com/.default";
    private static readonly TimeSpan EarlyRefresh = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _expires;

    public async Task<string?> GetTokenAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (o.IsAnonymous) return null;
        if (_token is { } cached && clock.GetUtcNow() < _expires) return cached;
        await _gate.WaitAsync(ct);
        try
        {
            if (_token is { } again && clock.GetUtcNow() < _expires) return again;
            var client = httpClients.CreateClient(TeamsHttp.TokenClient);
            for (var attempt = 1; ; attempt++)
            {
                using var response = await client.PostAsync(o.EffectiveTokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials",
                    ["client_id"] = o.AppId,
                    ["client_secret"] = o.AppPassword,
                    ["scope"] = Scope,
                }), ct);
                if (response.IsSuccessStatusCode)
                {
                    using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                    var token = doc.RootElement.GetProperty("access_token").GetString()
                        ?? throw new InvalidOperationException("the token endpoint returned no access_token");
                    var seconds = doc.RootElement.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var s) ? s : 3600;
                    _token = token;
                    var lifetime = TimeSpan.FromSeconds(seconds);
                    _expires = clock.GetUtcNow() + (lifetime > EarlyRefresh * 2 ? lifetime - EarlyRefresh : lifetime / 2);
                    TeamsLog.TokenAcquired(logger, seconds);
                    return token;
                }
                var status = (int)response.StatusCode;
                if (attempt >= o.MaxSendAttempts || !(status == 429 || status >= 500))
                {
                    TeamsLog.TokenFailed(logger, status);
                    throw new HttpRequestException($"the token endpoint answered {status}", null, response.StatusCode);
                }
                await Task.Delay(Backoff.Delay(attempt, o.RetryBaseDelayMilliseconds, response), ct);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}

internal static class Backoff
{
    private const int MaxDelayMilliseconds = 20_000;

    /// <summary>Exponential backoff with random jitter; a Retry-After header wins when it asks for longer, up to the cap.</summary>
    public static TimeSpan Delay(int attempt, int baseMilliseconds, HttpResponseMessage? response)
    {
        var exponential = Math.Min(MaxDelayMilliseconds, baseMilliseconds * (1 << Math.Min(attempt - 1, 10)));
        var jitter = Random.Shared.Next(0, Math.Max(1, baseMilliseconds));
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxDelayMilliseconds, exponential + jitter));
        if (response?.Headers.RetryAfter is { } ra)
        {
            var asked = ra.Delta ?? (ra.Date is { } d ? d - DateTimeOffset.UtcNow : TimeSpan.Zero);
            if (asked > delay) delay = asked < TimeSpan.FromMilliseconds(MaxDelayMilliseconds) ? asked : TimeSpan.FromMilliseconds(MaxDelayMilliseconds);
        }
        return delay;
    }
}

/// <summary>The Bot Connector REST calls the bot makes: reply, send, update and typing.</summary>
public sealed class BotConnectorClient(
    IHttpClientFactory httpClients,
    BotTokenProvider tokens,
    ServiceUrlPolicy policy,
    IOptions<TeamsOptions> options,
    ILogger<BotConnectorClient> logger)
{
    /// <summary><c>POST {serviceUrl}/v3/conversations/{id}/activities/{activityId}</c>, or <c>…/activities</c> without a reply-to id.</summary>
    public Task<SendResult> SendAsync(string serviceUrl, string conversationId, string? replyToId, JsonObject activity, CancellationToken ct,
        int? maxAttempts = null)
    {
        var path = $"v3/conversations/{Uri.EscapeDataString(conversationId)}/activities";
        if (!string.IsNullOrEmpty(replyToId))
        {
            path += "/" + Uri.EscapeDataString(replyToId);
            activity["replyToId"] = replyToId;
        }
        return CallAsync(HttpMethod.Post, serviceUrl, path, activity, ct, maxAttempts);
    }

    /// <summary><c>PUT {serviceUrl}/v3/conversations/{id}/activities/{activityId}</c>: replaces a card the bot sent earlier.</summary>
    public Task<SendResult> UpdateAsync(string serviceUrl, string conversationId, string activityId, JsonObject activity, CancellationToken ct)
    {
        activity["id"] = activityId;
        var path = $"v3/conversations/{Uri.EscapeDataString(conversationId)}/activities/{Uri.EscapeDataString(activityId)}";
        return CallAsync(HttpMethod.Put, serviceUrl, path, activity, ct);
    }

    private async Task<SendResult> CallAsync(HttpMethod method, string serviceUrl, string path, JsonObject activity, CancellationToken ct,
        int? maxAttempts = null)
    {
        if (!policy.IsAllowed(serviceUrl))
        {
            TeamsLog.ServiceUrlRefused(logger);
            return SendResult.Refused("service URL not allowed");
        }
        var o = options.Value;
        var attempts = Math.Clamp(maxAttempts ?? o.MaxSendAttempts, 1, o.MaxSendAttempts);
        var url = new Uri(new Uri(serviceUrl.EndsWith('/') ? serviceUrl : serviceUrl + "/"), path);
        var body = activity.ToJsonString(ActivityJson.Options);
        var client = httpClients.CreateClient(TeamsHttp.ConnectorClient);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (await tokens.GetTokenAsync(ct) is { } token)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            HttpResponseMessage? response = null;
            try
            {
                response = await client.SendAsync(request, ct);
                var status = (int)response.StatusCode;
                var operation = response.Headers.TryGetValues("X-Correlating-OperationId", out var ids) ? ids.FirstOrDefault() : null;
                if (response.IsSuccessStatusCode)
                {
                    TeamsLog.ConnectorCall(logger, method.Method, status, attempt, operation);
                    string? id = null;
                    var text = await response.Content.ReadAsStringAsync(ct);
                    if (text.Length > 0)
                    {
                        try
                        {
                            using var doc = JsonDocument.Parse(text);
                            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("id", out var idProp) && idProp.ValueKind == JsonValueKind.String)
                                id = idProp.GetString();
                        }
                        catch (JsonException) { }
                    }
                    return new SendResult(true, status, id);
                }
                var retryable = status is 429 or 412 or 502 or 504;
                if (!retryable || attempt >= attempts)
                {
                    TeamsLog.ConnectorFailed(logger, method.Method, status, attempt, operation);
                    return new SendResult(false, status, null);
                }
                TeamsLog.ConnectorRetry(logger, method.Method, status, attempt);
                await Task.Delay(Backoff.Delay(attempt, o.RetryBaseDelayMilliseconds, response), ct);
            }
            catch (HttpRequestException e) when (attempt < attempts && response is null)
            {
                TeamsLog.ConnectorUnreachable(logger, e, attempt);
                await Task.Delay(Backoff.Delay(attempt, o.RetryBaseDelayMilliseconds, null), ct);
            }
            finally
            {
                response?.Dispose();
            }
        }
    }
}
