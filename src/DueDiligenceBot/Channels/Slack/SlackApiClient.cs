using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>The outcome of one Web API call: <c>ok</c> and the response, or Slack's error code.</summary>
public sealed record SlackApiResult(bool Ok, string? Error, JsonElement Body)
{
    /// <summary>The failure may pass if tried later (rate limit, 5xx, network, timeout).</summary>
    public bool Transient { get; init; }

    public string? Str(string name) => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>Retry timing of the Web API client; tests shorten it.</summary>
public sealed class SlackRetryPolicy
{
    public int MaxAttempts { get; init; } = 4;
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>The longest Retry-After honoured; a longer one ends the call as rate limited.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// The Slack Web API over HttpClient: JSON POSTs with the bot token to <c>Slack:ApiBaseUrl</c>. HTTP 429
/// waits <c>Retry-After</c>; 5xx and network errors back off; both a bounded number of times. <c>ok:false</c>
/// is logged by its error code (never the text) and returned as a value.
/// </summary>
public sealed class SlackApiClient(IHttpClientFactory httpFactory, IOptions<SlackOptions> options, SlackRetryPolicy retry,
    ILogger<SlackApiClient> logger)
{
    public const string HttpClientName = "slack";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SlackOptions _options = options.Value;

    /// <summary>chat.postMessage; on success the result's <c>ts</c> is the new message's.</summary>
    public async Task<SlackApiResult> PostMessageAsync(string channel, SlackMessage message, string? threadTs, CancellationToken ct)
    {
        var body = new JsonObject { ["channel"] = channel, ["text"] = message.Text, ["blocks"] = message.Blocks.DeepClone(), ["unfurl_links"] = false };
        if (threadTs is not null) body["thread_ts"] = threadTs;
        return await CallAsync("chat.postMessage", body, _options.BotToken, ct);
    }

    public async Task<bool> UpdateAsync(string channel, string ts, SlackMessage message, CancellationToken ct)
    {
        var body = new JsonObject { ["channel"] = channel, ["ts"] = ts, ["text"] = message.Text, ["blocks"] = message.Blocks.DeepClone() };
        return (await CallAsync("chat.update", body, _options.BotToken, ct)).Ok;
    }

    /// <summary>Opens (or finds) the bot's direct message with a person; its channel id, or null.</summary>
    public async Task<string?> OpenDirectMessageAsync(string userId, CancellationToken ct)
    {
        var result = await CallAsync("conversations.open", new JsonObject { ["users"] = userId }, _options.BotToken, ct);
        return result.Ok && result.Body.TryGetProperty("channel", out var ch) && ch.TryGetProperty("id", out var id) ? id.GetString() : null;
    }

    /// <summary>A person's display name (users.info); null when it cannot be had.</summary>
    public async Task<string?> UserNameAsync(string userId, CancellationToken ct)
    {
        var result = await CallAsync("users.info", new JsonObject { ["user"] = userId }, _options.BotToken, ct, form: true);
        if (!result.Ok || !result.Body.TryGetProperty("user", out var user)) return null;
        if (user.TryGetProperty("profile", out var profile))
            foreach (var field in new[] { "display_name", "real_name" })
                if (profile.TryGetProperty(field, out var v) && v.GetString() is { Length: > 0 } name) return name;
        return user.TryGetProperty("real_name", out var real) && real.GetString() is { Length: > 0 } r ? r
            : user.TryGetProperty("name", out var n) ? n.GetString() : null;
    }

    /// <summary>A fresh Socket Mode WebSocket URL (apps.connections.open with the app-level token).</summary>
    public async Task<SlackApiResult> OpenConnectionAsync(CancellationToken ct) =>
        await CallAsync("apps.connections.open", new JsonObject(), _options.AppToken, ct);

    /// <summary>
    /// Posts to a slash command's or an interaction's <c>response_url</c>. Only Slack's hooks host (or the
    /// configured API host, where a test fake lives) is called, so a payload cannot aim the bot elsewhere.
    /// </summary>
    public async Task<SlackApiResult> RespondAsync(string responseUrl, SlackMessage message, bool replaceOriginal, CancellationToken ct)
    {
        if (!IsTrustedResponseUrl(responseUrl, out var uri)) return Failed("untrusted_response_url");
        var body = new JsonObject
        {
            ["response_type"] = "ephemeral",
            ["text"] = message.Text,
            ["blocks"] = message.Blocks.DeepClone(),
            ["replace_original"] = replaceOriginal,
        };
        return await SendAsync("response_url", uri, body, token: null, form: false, ct);
    }

    public bool IsTrustedResponseUrl(string url, out Uri uri)
    {
        uri = null!;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u)) return false;
        var api = _options.ApiBase;
        var trusted = (u.Scheme == "https" && u.Host.Equals("hooks.slack.com", StringComparison.OrdinalIgnoreCase) && u.IsDefaultPort)
            || (u.Scheme == api.Scheme && u.Host.Equals(api.Host, StringComparison.OrdinalIgnoreCase) && u.Port == api.Port);
        if (!trusted) { Log.ResponseUrlRefused(logger, u.Host); return false; }
        uri = u;
        return true;
    }

    public Task<SlackApiResult> CallAsync(string method, JsonObject body, string token, CancellationToken ct, bool form = false) =>
        SendAsync(method, new Uri(_options.ApiBase, method), body, token, form, ct);

    private async Task<SlackApiResult> SendAsync(string method, Uri uri, JsonObject body, string? token, bool form, CancellationToken ct)
    {
        var http = httpFactory.CreateClient(HttpClientName);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri);
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Content = form
                ? new FormUrlEncodedContent(body.Select(p => KeyValuePair.Create(p.Key, p.Value?.ToString() ?? "")))
                : new StringContent(body.ToJsonString(Json), Encoding.UTF8, "application/json");

            TimeSpan? wait;
            string status;
            try
            {
                using var response = await http.SendAsync(request, ct);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    wait = RetryAfter(response) ?? TimeSpan.FromSeconds(1);
                    if (wait > retry.MaxRetryAfter || attempt >= retry.MaxAttempts)
                    {
                        Log.ApiError(logger, method, "ratelimited");
                        return Failed("ratelimited", transient: true);
                    }
                    Log.RateLimited(logger, method, wait.Value.TotalSeconds, attempt);
                    await Task.Delay(wait.Value, ct);
                    continue;
                }
                if ((int)response.StatusCode >= 500)
                {
                    status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                }
                else if (!response.IsSuccessStatusCode)
                {
                    var code = $"http_{(int)response.StatusCode}";
                    Log.ApiError(logger, method, code);
                    return Failed(code);
                }
                else
                {
                    var text = await response.Content.ReadAsStringAsync(ct);
                    // response_url answers a plain "ok"; the Web API answers JSON with "ok".
                    if (token is null && !text.TrimStart().StartsWith('{')) return new SlackApiResult(true, null, default);
                    using var doc = JsonDocument.Parse(text);
                    var root = doc.RootElement.Clone();
                    if (root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True) return new SlackApiResult(true, null, root);
                    var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : "unknown_error";
                    if (error == "ratelimited" && attempt < retry.MaxAttempts)
                    {
                        var delay = RetryAfter(response) ?? TimeSpan.FromSeconds(1);
                        if (delay <= retry.MaxRetryAfter)
                        {
                            Log.RateLimited(logger, method, delay.TotalSeconds, attempt);
                            await Task.Delay(delay, ct);
                            continue;
                        }
                    }
                    Log.ApiError(logger, method, SafeCode(error));
                    return new SlackApiResult(false, error, root) { Transient = error is "ratelimited" or "internal_error" or "fatal_error" or "service_unavailable" or "request_timeout" };
                }
            }
            catch (HttpRequestException e)
            {
                status = e.HttpRequestError.ToString();
            }
            catch (JsonException)
            {
                status = "invalid_json";
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                status = "timeout";
            }

            Log.ApiTransient(logger, method, attempt, status);
            if (attempt >= retry.MaxAttempts) return Failed(status, transient: true);
            wait = retry.FirstBackoff * Math.Pow(2, attempt - 1);
            await Task.Delay(wait.Value, ct);
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is { } h)
        {
            if (h.Delta is { } d) return d < TimeSpan.Zero ? TimeSpan.Zero : d;
            if (h.Date is { } at) return at - DateTimeOffset.UtcNow is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
        return null;
    }

    /// <summary>Slack error codes are short snake_case words; anything else is not logged verbatim.</summary>
    private static string SafeCode(string error) =>
        error.Length <= 64 && error.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? error : "unrecognised_error";

    private static SlackApiResult Failed(string error, bool transient = false) => new(false, error, default) { Transient = transient };
}
