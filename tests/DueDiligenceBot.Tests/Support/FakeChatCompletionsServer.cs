using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DueDiligenceBot.Tests.Support;

/// <summary>
/// A loopback server (Kestrel on 127.0.0.1, a random port) that speaks the OpenAI chat-completions wire format
/// — <c>POST …/chat/completions</c> answered with <c>choices[0].message.content</c> and <c>usage</c> — so the real
/// Semantic Kernel and OpenAI/Azure client code runs against it. Each test scripts the reply.
/// </summary>
public sealed class FakeChatCompletionsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeChatCompletionsServer(WebApplication app) => _app = app;

    /// <summary>The reply to the next requests: status code, message content and a delay before answering.</summary>
    public Func<JsonElement, (int Status, string Content, TimeSpan Delay)> Reply { get; set; } = _ => (200, "ok [1]", TimeSpan.Zero);

    public ConcurrentQueue<(string Path, JsonElement Body)> Requests { get; } = new();

    public string BaseUrl { get; private set; } = "";

    public static async Task<FakeChatCompletionsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeChatCompletionsServer(app);
        app.MapPost("{**path}", server.HandleAsync);
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    private async Task HandleAsync(HttpContext context, string path)
    {
        using var doc = await JsonDocument.ParseAsync(context.Request.Body);
        var body = doc.RootElement.Clone();
        Requests.Enqueue(("/" + path, body));
        if (!path.EndsWith("chat/completions", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var (status, content, delay) = Reply(body);
        if (delay > TimeSpan.Zero)
        {
            try { await Task.Delay(delay, context.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        context.Response.StatusCode = status;
        if (status != 200)
        {
            await context.Response.WriteAsJsonAsync(new { error = new { message = "scripted failure", type = "server_error", code = "scripted" } });
            return;
        }
        await context.Response.WriteAsJsonAsync(new
        {
            id = "chatcmpl-fake",
            @object = "chat.completion",
            created = 1_764_000_000,
            model = body.TryGetProperty("model", out var m) ? m.GetString() : "fake",
            choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 120, completion_tokens = 40, total_tokens = 160 },
        });
    }

    /// <summary>The text of every message of a recorded request, joined.</summary>
    public static string Messages(JsonElement body) =>
        string.Join("\n", body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").ValueKind == JsonValueKind.String
            ? m.GetProperty("content").GetString()
            : string.Join("", m.GetProperty("content").EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : ""))));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
