using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DueDiligenceBot.Tests.Channels.Slack;

/// <summary>One call the bot made to the fake: the Web API method (or <c>response_url</c>), its bearer token and body.</summary>
public sealed record SlackCall(string Method, string? Authorization, JsonElement Body, string Path)
{
    /// <summary>The ts the fake gave a posted message.</summary>
    public string? Ts { get; init; }

    public string? Str(string name) => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    public string Text => Str("text") ?? "";
    public string BlocksJson => Body.TryGetProperty("blocks", out var b) ? b.GetRawText() : "[]";
    public IEnumerable<JsonElement> Blocks => Body.TryGetProperty("blocks", out var b) && b.ValueKind == JsonValueKind.Array ? b.EnumerateArray() : [];
}

/// <summary>
/// A loopback stand-in for Slack, speaking its wire format: the Web API under <c>/api/</c> (records
/// chat.postMessage, chat.update, conversations.open, users.info, apps.connections.open), response URLs
/// under <c>/hooks/</c>, and a Socket Mode WebSocket at <c>/socket</c> driven by the test.
/// </summary>
public sealed class FakeSlack : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SlackCall> _calls = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<HttpContext, Task>>> _scripted = new();
    private readonly Channel<FakeSocket> _sockets = Channel.CreateUnbounded<FakeSocket>();
    private readonly ConcurrentBag<FakeSocket> _allSockets = [];
    private int _ts;

    private FakeSlack(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";
    public string ApiBaseUrl => BaseUrl + "/api/";
    public IReadOnlyList<SlackCall> Calls => _calls.ToArray();
    public IEnumerable<SlackCall> Posts => Calls.Where(c => c.Method == "chat.postMessage");
    public IEnumerable<SlackCall> Updates => Calls.Where(c => c.Method == "chat.update");
    public IEnumerable<SlackCall> Responses => Calls.Where(c => c.Method == "response_url");
    public string ResponseUrl(string id) => $"{BaseUrl}/hooks/commands/T0001/{id}/secret";

    public static async Task<FakeSlack> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSlack(app);
        app.UseWebSockets();
        app.MapPost("/api/{method}", fake.ApiAsync);
        app.MapPost("/hooks/{**rest}", fake.HookAsync);
        app.Map("/socket", fake.SocketAsync);
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return fake;
    }

    /// <summary>The next call of <paramref name="method"/> gets this answer instead of the usual one.</summary>
    public void Script(string method, Func<HttpContext, Task> respond) =>
        _scripted.GetOrAdd(method, _ => new ConcurrentQueue<Func<HttpContext, Task>>()).Enqueue(respond);

    public void ScriptRateLimit(string method, int retryAfterSeconds) => Script(method, ctx =>
    {
        ctx.Response.StatusCode = 429;
        ctx.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ctx.Response.WriteAsJsonAsync(new { ok = false, error = "ratelimited" });
    });

    public void ScriptStatus(string method, int status) => Script(method, ctx =>
    {
        ctx.Response.StatusCode = status;
        return Task.CompletedTask;
    });

    public void ScriptError(string method, string error) => Script(method, ctx => ctx.Response.WriteAsJsonAsync(new { ok = false, error }));

    private async Task ApiAsync(HttpContext ctx, string method)
    {
        var body = await ReadBodyAsync(ctx.Request);
        var ts = method == "chat.postMessage" ? NextTs() : null;
        var scripted = _scripted.TryGetValue(method, out var queue) && queue.TryDequeue(out var s) ? s : null;
        _calls.Enqueue(new SlackCall(method, ctx.Request.Headers.Authorization.ToString(), body, ctx.Request.Path) { Ts = scripted is null ? ts : null });
        if (scripted is not null)
        {
            await scripted(ctx);
            return;
        }
        object answer = method switch
        {
            "chat.postMessage" => new { ok = true, channel = Str(body, "channel"), ts, message = new { text = Str(body, "text") } },
            "chat.update" => new { ok = true, channel = Str(body, "channel"), ts = Str(body, "ts") },
            "conversations.open" => new { ok = true, channel = new { id = "D" + (Str(body, "users") ?? "X").TrimStart('U') } },
            "users.info" => new { ok = true, user = new { id = Str(body, "user"), name = "user", profile = new { display_name = "Person " + Str(body, "user"), real_name = "" } } },
            "apps.connections.open" => new { ok = true, url = BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/socket" },
            "auth.test" => new { ok = true, user_id = "UBOT", bot_id = "BBOT", team_id = "T0001" },
            _ => new { ok = false, error = "unknown_method" },
        };
        await ctx.Response.WriteAsJsonAsync(answer);
    }

    private async Task HookAsync(HttpContext ctx)
    {
        var body = await ReadBodyAsync(ctx.Request);
        _calls.Enqueue(new SlackCall("response_url", ctx.Request.Headers.Authorization.ToString(), body, ctx.Request.Path));
        if (_scripted.TryGetValue("response_url", out var queue) && queue.TryDequeue(out var scripted))
        {
            await scripted(ctx);
            return;
        }
        ctx.Response.ContentType = "text/plain";
        await ctx.Response.WriteAsync("ok");
    }

    private async Task SocketAsync(HttpContext ctx)
    {
        if (!ctx.WebSockets.IsWebSocketRequest) { ctx.Response.StatusCode = 400; return; }
        var ws = await ctx.WebSockets.AcceptWebSocketAsync();
        var socket = new FakeSocket(ws);
        _allSockets.Add(socket);
        await _sockets.Writer.WriteAsync(socket);
        await socket.Done;
    }

    /// <summary>The next Socket Mode connection the bot opens.</summary>
    public async Task<FakeSocket> NextSocketAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        return await _sockets.Reader.ReadAsync(cts.Token);
    }

    private string NextTs() => $"1764000000.{Interlocked.Increment(ref _ts):D6}";

    /// <summary>Waits until <paramref name="predicate"/> holds for the recorded calls.</summary>
    public async Task<IReadOnlyList<SlackCall>> WaitForAsync(Func<IReadOnlyList<SlackCall>, bool> predicate, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var calls = Calls;
            if (predicate(calls)) return calls;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the fake Slack did not see the expected calls; it saw: " + string.Join(", ", calls.Select(c => c.Method)));
            await Task.Delay(15);
        }
    }

    public Task<IReadOnlyList<SlackCall>> WaitForCountAsync(string method, int count, TimeSpan? timeout = null) =>
        WaitForAsync(calls => calls.Count(c => c.Method == method) >= count, timeout);

    private static async Task<JsonElement> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        if (request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            var form = QueryHelpers.ParseQuery(text).ToDictionary(p => p.Key, p => p.Value.ToString());
            return JsonSerializer.SerializeToElement(form);
        }
        return text.Length == 0 ? JsonSerializer.SerializeToElement(new { }) : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public async ValueTask DisposeAsync()
    {
        _sockets.Writer.TryComplete();
        foreach (var s in _allSockets) s.Abort();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The server side of one Socket Mode connection, as the test drives it.</summary>
public sealed class FakeSocket(WebSocket socket)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Done => _done.Task;

    public Task SendAsync(object message) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task HelloAsync() => SendAsync(new { type = "hello", num_connections = 1, debug_info = new { host = "fake" } });

    /// <summary>The next text message from the bot (an acknowledgement), or null when it closed.</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        using var ms = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            ms.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return JsonDocument.Parse(ms.ToArray()).RootElement.Clone();
    }

    /// <summary>Waits for the bot to close or drop its side (after a disconnect message); false on timeout.</summary>
    public async Task<bool> WaitClosedAsync(TimeSpan? timeout = null)
    {
        try
        {
            while (await ReceiveAsync(timeout) is not null) { }
            return true;
        }
        catch (WebSocketException) { return true; }
        catch (OperationCanceledException) { return false; }
        finally { Close(); }
    }

    public void Close() => _done.TrySetResult();

    /// <summary>Drops the connection without a close handshake, like a network failure.</summary>
    public void Abort()
    {
        try { socket.Abort(); } catch (ObjectDisposedException) { }
        _done.TrySetResult();
    }
}
