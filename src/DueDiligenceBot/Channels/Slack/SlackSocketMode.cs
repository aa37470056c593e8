using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>Reconnection timing of Socket Mode; tests shorten it.</summary>
public sealed class SlackSocketModeSettings
{
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How often the client pings; Slack's own pings are answered by ClientWebSocket.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>After a <c>disconnect</c> with reason <c>warning</c>, how long the old socket is still read while the new one works.</summary>
    public TimeSpan WarningGrace { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>A ping unanswered this long means the connection is dead: it is dropped and reopened.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Slack Socket Mode (<c>Slack:AppToken</c>): asks <c>apps.connections.open</c> for a WebSocket URL, reads
/// envelopes, hands their payloads to the same <see cref="SlackInbound"/> handlers as HTTP and acknowledges
/// each by <c>envelope_id</c>. Reconnects on <c>disconnect</c> at once (after a <c>warning</c> the old socket is
/// still read until Slack closes it) and on a dropped socket after a bounded, growing pause. No signatures here: the connection is authenticated by the app-level token.
/// </summary>
public sealed class SlackSocketMode(IOptions<SlackOptions> options, SlackApiClient api, SlackInbound inbound,
    SlackSocketModeSettings settings, ILogger<SlackSocketMode> logger) : BackgroundService
{
    private const int MaxMessageBytes = 1024 * 1024;
    private int _connections;

    /// <summary>How many sockets have said hello; tests wait on it.</summary>
    public int Connections => Volatile.Read(ref _connections);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SocketModeEnabled) return;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            Exception? error = null;
            var requested = false;
            try
            {
                var opened = await api.OpenConnectionAsync(stoppingToken);
                if (!opened.Ok || opened.Str("url") is not { } url) throw new InvalidOperationException($"apps.connections.open failed: {opened.Error}");
                var socket = new ClientWebSocket();
                var handedOff = false;
                try
                {
                    socket.Options.KeepAliveInterval = settings.KeepAlive;
                    socket.Options.KeepAliveTimeout = settings.KeepAliveTimeout;
                    await socket.ConnectAsync(new Uri(url), stoppingToken);
                    var (reason, hello) = await ReadAsync(socket, stoppingToken);
                    if (hello) failures = 0;
                    requested = reason is not null && reason is not ("link_disabled" or "too_many_websockets");
                    if (reason is not null) Log.SocketDisconnectRequested(logger, reason);
                    if (reason == "warning")
                    {
                        // Slack closes this socket soon: open the next one now, and keep acknowledging what still
                        // arrives here until Slack closes it (or the grace period ends).
                        _ = DrainAsync(socket, stoppingToken);
                        handedOff = true;
                    }
                    else
                    {
                        await CloseQuietlyAsync(socket);
                    }
                }
                finally
                {
                    if (!handedOff) socket.Dispose();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or InvalidOperationException or JsonException or IOException)
            {
                error = e;
            }
            if (requested) continue;

            failures++;
            var pause = TimeSpan.FromMilliseconds(Math.Min(settings.MaxBackoff.TotalMilliseconds,
                settings.FirstBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16))) * (0.8 + Random.Shared.NextDouble() * 0.4));
            Log.SocketLost(logger, error, Math.Round(pause.TotalSeconds, 2), failures);
            try { await Task.Delay(pause, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task DrainAsync(ClientWebSocket socket, CancellationToken stoppingToken)
    {
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        grace.CancelAfter(settings.WarningGrace);
        try { await ReadAsync(socket, grace.Token); }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or JsonException or InvalidOperationException) { }
        finally
        {
            await CloseQuietlyAsync(socket);
            socket.Dispose();
        }
    }

    /// <summary>Reads until the socket closes (reason null) or Slack asks to disconnect (its reason).</summary>
    private async Task<(string? Reason, bool Hello)> ReadAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var hello = false;
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (socket.State == WebSocketState.Open)
        {
            message.SetLength(0);
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close) return (null, hello);
                message.Write(buffer, 0, result.Count);
                if (message.Length > MaxMessageBytes) throw new InvalidOperationException("Socket Mode message too large");
            }
            while (!result.EndOfMessage);
            if (result.MessageType != WebSocketMessageType.Text) continue;

            using var doc = JsonDocument.Parse(message.ToArray());
            var root = doc.RootElement;
            var type = SlackInbound.Str(root, "type") ?? "";
            if (type == "hello")
            {
                hello = true;
                Log.SocketConnected(logger, Interlocked.Increment(ref _connections));
                continue;
            }
            if (type == "disconnect") return (SlackInbound.Str(root, "reason") ?? "unknown", hello);
            if (SlackInbound.Str(root, "envelope_id") is not { } envelopeId) continue;

            var ack = await DispatchAsync(type, root, ct);
            var reply = new JsonObject { ["envelope_id"] = envelopeId };
            if (ack?.Body is { } body && root.TryGetProperty("accepts_response_payload", out var accepts) && accepts.ValueKind == JsonValueKind.True)
                reply["payload"] = body;
            await socket.SendAsync(Encoding.UTF8.GetBytes(reply.ToJsonString()), WebSocketMessageType.Text, true, ct);
        }
        return (null, hello);
    }

    private async Task<SlackAck?> DispatchAsync(string type, JsonElement envelope, CancellationToken ct)
    {
        if (!envelope.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object) return null;
        switch (type)
        {
            case "events_api":
                var retry = envelope.TryGetProperty("retry_attempt", out var r) && r.TryGetInt32(out var n) ? n : 0;
                return await inbound.OnEventAsync(payload, retry, ct);
            case "slash_commands":
                var form = payload.EnumerateObject()
                    .Where(p => p.Value.ValueKind == JsonValueKind.String)
                    .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
                return await inbound.OnCommandAsync(form, ct);
            case "interactive":
                return await inbound.OnInteractionAsync(payload, ct);
            default:
                Log.SocketUnknownEnvelope(logger, SlackText.Clip(type, 40));
                return null;
        }
    }

    private static async Task CloseQuietlyAsync(ClientWebSocket socket)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try { await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "reconnecting", timeout.Token); }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
    }
}
