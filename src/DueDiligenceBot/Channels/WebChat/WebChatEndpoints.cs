using System.Reflection;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Security;

namespace DueDiligenceBot.Channels.WebChat;

/// <summary>The local web chat: a page at <c>/</c> and <c>POST /api/webchat/messages</c>.</summary>
public static class WebChatEndpoints
{
    public const string ChannelName = "webchat";
    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("DueDiligenceBot.Channels.WebChat.webchat.html")!;
        return new StreamReader(stream).ReadToEnd();
    });

    public static void MapWebChat(this WebApplication app)
    {
        app.MapGet("/", () => Results.Content(Page.Value, "text/html; charset=utf-8")).RequireAuthorization(AccessExtensions.People);
        app.MapPost("/api/webchat/messages", PostAsync)
            .RequireAuthorization(AccessExtensions.People)
            .RequireRateLimiting(Operations.OperationsExtensions.ApiRateLimitPolicy);
    }

    private static async Task<IResult> PostAsync(HttpRequest request, IConversationEngine engine, CancellationToken ct)
    {
        var (body, failure) = await RequestJson.ReadAsync(request, ct);
        if (body is null) return failure!;

        var conversationId = body.RequiredString("conversationId", 200);
        var userId = body.RequiredString("userId", 200);
        var userName = body.RequiredString("userName", 200);
        var text = body.OptionalString("text", ConversationEngine.MaxTextLength);
        var value = body.OptionalString("value", 2000);
        if (body.Errors.Count == 0 && string.IsNullOrWhiteSpace(text) && string.IsNullOrWhiteSpace(value))
            body.AddError("'text' or 'value' is required (what the person typed, or the value of the clicked choice)");
        if (body.Errors.Count > 0) return body.Problem();

        var replies = await engine.HandleAsync(
            new IncomingMessage(ChannelName, conversationId, userId, userName.Trim(), text, value), ct);
        return Results.Json(new { replies = replies.Select(WebChatReply.From) });
    }
}

/// <summary>The web chat's JSON for one reply: <c>text</c> and <c>choices</c> per the contract, plus what the page needs for inputs.</summary>
public sealed record WebChatReply(
    string Kind,
    string Text,
    IReadOnlyList<WebChatChoice> Choices,
    WebChatQuestion? Question,
    IReadOnlyList<WebChatCitation> Citations,
    string? Link)
{
    public static WebChatReply From(BotReply r) => new(
        r.Kind.ToString().ToLowerInvariant(),
        r.Text,
        r.Choices.Select(c => new WebChatChoice(c.Label, c.Value)).ToList(),
        r.Question is { } q
            ? new WebChatQuestion(q.Key, q.Number, q.Type.ToString().ToLowerInvariant(),
                q.Options.Select(o => new WebChatChoice(o.Label, o.Value)).ToList(), q.Unit)
            : null,
        r.Citations.Select(c => new WebChatCitation(c.Number, c.NoteId, c.Title, c.Section, c.Source, c.Url)).ToList(),
        r.Link);
}

public sealed record WebChatChoice(string Label, string Value);

public sealed record WebChatQuestion(string Key, int Number, string Type, IReadOnlyList<WebChatChoice> Options, string? Unit);

public sealed record WebChatCitation(int Number, string NoteId, string Title, string Section, string Source, string? Url);
