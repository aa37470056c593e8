using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>
/// <c>POST /api/slack/events</c>, <c>/commands</c> and <c>/interactions</c>. Each request is verified on its
/// raw bytes before anything is parsed or stored; a failure is a bare 401 and leaves no trace.
/// </summary>
public static class SlackEndpoints
{
    public const int MaxBodyBytes = 512 * 1024;

    public static void MapSlack(this WebApplication app)
    {
        var group = app.MapGroup("/api/slack");
        group.MapPost("/events", EventsAsync);
        group.MapPost("/commands", CommandsAsync);
        group.MapPost("/interactions", InteractionsAsync);
    }

    private static Task<IResult> EventsAsync(HttpContext http, SlackInbound inbound, IOptions<SlackOptions> options, TimeProvider clock, ILogger<SlackInbound> logger) =>
        HandleAsync(http, options.Value, clock, logger, allowSslCheck: false, async body =>
        {
            using var doc = ParseChecked(body);
            var retry = int.TryParse(http.Request.Headers["X-Slack-Retry-Num"], out var n) ? n : 0;
            return await inbound.OnEventAsync(doc.RootElement, retry, http.RequestAborted);
        });

    private static Task<IResult> CommandsAsync(HttpContext http, SlackInbound inbound, IOptions<SlackOptions> options, TimeProvider clock, ILogger<SlackInbound> logger) =>
        HandleAsync(http, options.Value, clock, logger, allowSslCheck: true, async body =>
            await inbound.OnCommandAsync(Form(body), http.RequestAborted));

    private static Task<IResult> InteractionsAsync(HttpContext http, SlackInbound inbound, IOptions<SlackOptions> options, TimeProvider clock, ILogger<SlackInbound> logger) =>
        HandleAsync(http, options.Value, clock, logger, allowSslCheck: false, async body =>
        {
            if (!Form(body).TryGetValue("payload", out var payload)) return SlackAck.Ok;
            using var doc = ParseChecked(System.Text.Encoding.UTF8.GetBytes(payload));
            return await inbound.OnInteractionAsync(doc.RootElement, http.RequestAborted);
        });

    /// <summary>Parses JSON whose every string is valid text; anything else is malformed (400), never a crash later.</summary>
    private static JsonDocument ParseChecked(byte[] json)
    {
        var doc = JsonDocument.Parse(json);
        if (RequestJson.TextIsValid(doc.RootElement)) return doc;
        doc.Dispose();
        throw new JsonException("a string in the body is not valid Unicode");
    }

    private static async Task<IResult> HandleAsync(HttpContext http, SlackOptions options, TimeProvider clock, ILogger logger,
        bool allowSslCheck, Func<byte[], Task<SlackAck>> handle)
    {
        if (!options.HttpEnabled) return Results.NotFound();
        var request = http.Request;
        var path = request.Path.Value ?? "";
        if (request.ContentLength > MaxBodyBytes) return Refuse(logger, path, "body too large", StatusCodes.Status413PayloadTooLarge);
        var body = await ReadAsync(request.Body, http.RequestAborted);
        if (body is null) return Refuse(logger, path, "body too large", StatusCodes.Status413PayloadTooLarge);

        var timestamp = request.Headers["X-Slack-Request-Timestamp"].ToString();
        var signature = request.Headers["X-Slack-Signature"].ToString();
        // Slack's certificate check carries no signature and asks for nothing but a 200.
        if (allowSslCheck && signature.Length == 0 && Form(body).TryGetValue("ssl_check", out var ssl) && ssl == "1")
            return Results.Ok();

        var check = SlackSignature.Verify(options.SigningSecret, timestamp, signature, body, clock.GetUtcNow());
        if (check != SignatureCheck.Valid) return Refuse(logger, path, check.ToString(), StatusCodes.Status401Unauthorized);
        if (!System.Text.Unicode.Utf8.IsValid(body)) return Refuse(logger, path, "not UTF-8", StatusCodes.Status400BadRequest);

        SlackAck ack;
        try
        {
            ack = await handle(body);
        }
        catch (JsonException)
        {
            return Refuse(logger, path, "malformed JSON", StatusCodes.Status400BadRequest);
        }
        if (ack.Status == StatusCodes.Status403Forbidden)
        {
            // Signed by our app, but from a workspace we do not serve: no point in Slack retrying.
            http.Response.Headers["X-Slack-No-Retry"] = "1";
            return Results.StatusCode(ack.Status);
        }
        return ack.Body is { } json ? Results.Json(json, statusCode: ack.Status) : Results.StatusCode(ack.Status);
    }

    private static IResult Refuse(ILogger logger, string path, string reason, int status)
    {
        Log.Refused(logger, path, reason);
        return Results.StatusCode(status);
    }

    private static async Task<byte[]?> ReadAsync(Stream stream, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes) return null;
        }
        return buffer.ToArray();
    }

    internal static Dictionary<string, string> Form(byte[] body)
    {
        var parsed = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        return parsed.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
    }
}
