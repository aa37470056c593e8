using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Inbox;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Channels.Teams;

/// <summary>Where the replies of one turn go: the conversation, the activity they answer, and who is who.</summary>
public sealed record TurnReference(string ServiceUrl, string ConversationId, string? ActivityId, ChannelAccount? Bot, ChannelAccount? User)
{
    public static TurnReference From(Activity a) => new(a.ServiceUrl!, a.Conversation!.Id!, a.Id, a.Recipient, a.From);
}

/// <summary>
/// What the bot does with an authenticated activity: acknowledge at once and run the turn in the
/// background (messages), answer inline (card invokes), store conversation references (installs).
/// </summary>
public sealed class TeamsBot(
    IConversationEngine engine,
    EventInbox inbox,
    ChecklistDefinition checklist,
    TeamsTurnQueue queue,
    BotConnectorClient connector,
    TeamsReferenceStore references,
    IOptions<ReviewOptions> review,
    ILogger<TeamsBot> logger)
{
    private static readonly TimeSpan InvokeBudget = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan TypingBudget = TimeSpan.FromSeconds(2);
    private readonly RecentIds _recent = new(4096);

    public async Task<IResult> HandleAsync(Activity a, CancellationToken ct)
    {
        TeamsLog.ActivityReceived(logger, a.Type!, a.Name, a.Conversation?.ConversationType);
        // Messages are de-duplicated durably by the inbox; other activities here, in memory.
        if (a.Type != "message" && a.Id is { Length: > 0 } id && !_recent.Add($"{a.Conversation?.Id}|{id}|{a.Type}"))
        {
            TeamsLog.Duplicate(logger);
            return Results.Ok();
        }
        switch (a.Type)
        {
            case "message":
                if (TeamsActivityMapper.Message(a) is not { } mapped) return Results.BadRequest(new { error = "a message needs conversation.id and from.id" });
                var reference = TurnReference.From(a);
                var route = new TeamsRoute(reference.ServiceUrl, reference.ConversationId, reference.ActivityId, a.ReplyToId, mapped.QuestionKey,
                    reference.Bot?.Id, reference.Bot?.Name, reference.User?.Id, reference.User?.Name);
                // The typing indicator goes out first (one attempt, briefly), so it cannot arrive after the answer.
                await SendTypingAsync(reference, ct);
                // Stored durably before the acknowledgement; the inbox worker runs the turn and TeamsDeliverer sends the replies.
                var dedupKey = $"{reference.ConversationId}|{a.Id ?? Guid.NewGuid().ToString("N")}";
                if (!await inbox.EnqueueAsync(TeamsActivityMapper.ChannelName, dedupKey,
                        new InboxEnvelope(mapped.Message, JsonSerializer.SerializeToElement(route, ActivityJson.Options)), ct))
                {
                    TeamsLog.Duplicate(logger);
                    return Results.Ok();
                }
                // Where a channel is, for proactive posts: best effort, after the ack.
                if (a.Conversation?.ConversationType == "channel" && TeamsReferenceStore.From(a) is { } channelReference)
                    queue.TryEnqueue(mapped.Message.ConversationKey, token => references.UpsertAsync(channelReference, token));
                return Results.Ok();

            case "conversationUpdate":
                var botAdded = a.MembersAdded?.Any(m => m.Id is { Length: > 0 } mid && mid == a.Recipient?.Id) == true;
                var botRemoved = a.MembersRemoved?.Any(m => m.Id is { Length: > 0 } mid && mid == a.Recipient?.Id) == true;
                if (!botAdded && !botRemoved) return Results.Ok();
                var conversationRef = TeamsReferenceStore.From(a);
                if (conversationRef is null) return Results.Ok();
                if (botRemoved)
                    return Enqueue(conversationRef.ConversationId, token => references.DeleteAsync(conversationRef.ConversationId, token));
                var welcomeTo = TurnReference.From(a) with { ActivityId = null };
                return Enqueue(conversationRef.ConversationId, async token =>
                {
                    await references.UpsertAsync(conversationRef, token);
                    TeamsLog.ReferenceStored(logger, conversationRef.ConversationType);
                    // An empty message makes the engine answer with its welcome, without touching the database.
                    var welcome = await engine.HandleAsync(new IncomingMessage(TeamsActivityMapper.ChannelName, conversationRef.ConversationId, a.From?.Id ?? "", a.From?.Name ?? "", null), token);
                    await DeliverAsync(welcomeTo, welcome, null, null, token);
                });

            case "installationUpdate":
                if (TeamsReferenceStore.From(a) is not { } installRef) return Results.Ok();
                if (a.Action is "add" or "add-upgrade")
                    return Enqueue(installRef.ConversationId, async token =>
                    {
                        await references.UpsertAsync(installRef, token);
                        TeamsLog.ReferenceStored(logger, installRef.ConversationType);
                    });
                if (a.Action is "remove" or "remove-upgrade")
                    return Enqueue(installRef.ConversationId, token => references.DeleteAsync(installRef.ConversationId, token));
                return Results.Ok();

            case "invoke" when a.Name == "adaptiveCard/action":
                return await InvokeAsync(a, ct);

            default:
                return Results.Ok();
        }
    }

    private async Task SendTypingAsync(TurnReference to, CancellationToken ct)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(TypingBudget);
        try
        {
            await connector.SendAsync(to.ServiceUrl, to.ConversationId, to.ActivityId, Typing(to), budget.Token, maxAttempts: 1);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            // Only a nicety: the turn goes on without it.
        }
    }

    private IResult Enqueue(string key, Func<CancellationToken, Task> work)
    {
        if (queue.TryEnqueue(key, work)) return Results.Ok();
        TeamsLog.QueueFull(logger);
        return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Action.Execute: the turn runs inline and its first reply replaces the card; the rest follow through the Connector.</summary>
    private async Task<IResult> InvokeAsync(Activity a, CancellationToken ct)
    {
        if (TeamsActivityMapper.Invoke(a) is not { } mapped)
            return Results.Json(new { statusCode = 400, type = "application/vnd.microsoft.error", value = new { code = "BadRequest", message = "expected an Action.Execute with data" } },
                statusCode: StatusCodes.Status400BadRequest);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(InvokeBudget);
        IReadOnlyList<BotReply> replies;
        try
        {
            replies = await engine.HandleAsync(mapped.Message, budget.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Results.Json(new { statusCode = 500, type = "application/vnd.microsoft.error", value = new { code = "Timeout", message = "That took too long; please try again." } });
        }
        var rest = replies.ToList();
        JsonObject card;
        if (AnsweredCard(mapped, rest, a.From?.Name) is { } answered)
            card = answered;
        else
        {
            var first = rest[0];
            rest.RemoveAt(0);
            card = TeamsCards.For(first, review.Value.PublicBaseUrl) ?? TeamsCards.TextWithButtons(first with { Choices = [] });
        }
        if (rest.Count > 0)
        {
            var reference = TurnReference.From(a) with { ActivityId = a.ReplyToId ?? a.Id };
            Enqueue(mapped.Message.ConversationKey, token => DeliverAsync(reference, rest, null, null, token));
        }
        return Results.Json(new JsonObject
        {
            ["statusCode"] = 200,
            ["type"] = TeamsCards.ContentType,
            ["value"] = card,
        }, ActivityJson.Options);
    }

    /// <summary>
    /// Sends a turn's replies, in order, as replies to the activity (in a channel that keeps them in the
    /// thread). A card submission whose answer was recorded first replaces the question card with the
    /// recorded answer and its author.
    /// </summary>
    public async Task DeliverAsync(TurnReference to, IReadOnlyList<BotReply> replies, MappedMessage? submitted, string? cardActivityId,
        CancellationToken ct, bool throwOnFailure = false)
    {
        var list = replies.ToList();
        if (cardActivityId is { Length: > 0 } && submitted is not null && AnsweredCard(submitted, list, to.User?.Name) is { } answered)
        {
            var update = Message(to);
            update["attachments"] = new JsonArray { Attachment(answered) };
            var result = await connector.UpdateAsync(to.ServiceUrl, to.ConversationId, cardActivityId, update, ct);
            if (!result.Ok) list = replies.ToList(); // the card stays; say it in the chat instead
        }
        foreach (var reply in list)
        {
            var sent = await connector.SendAsync(to.ServiceUrl, to.ConversationId, to.ActivityId, ToActivity(to, reply), ct);
            // Refused service URLs and 4xx answers will not get better; the inbox retries the rest.
            if (!sent.Ok && throwOnFailure && sent.Status is 429 or >= 500)
                throw new HttpRequestException($"the Connector answered {sent.Status}");
        }
    }

    /// <summary>
    /// When the first reply acknowledges an answer to the submitted card's question, removes it from
    /// <paramref name="replies"/> and returns the answered card; otherwise null.
    /// </summary>
    private JsonObject? AnsweredCard(MappedMessage submitted, List<BotReply> replies, string? author)
    {
        if (submitted.QuestionKey is not { } key || checklist.Find(key) is not { } q || replies.Count == 0) return null;
        var first = replies[0];
        if (first.Kind != ReplyKind.Info || !IsAcknowledgement(first.Text, q.Number)) return null;
        replies.RemoveAt(0);
        var prompt = new QuestionPrompt(q.Key, q.Number, 0, 0, checklist.SectionOf(q).Title, q.Prompt, q.Type, q.Options, q.Unit, null);
        return TeamsCards.Answered(prompt, first.Text, string.IsNullOrWhiteSpace(author) ? "a colleague" : author);
    }

    private static bool IsAcknowledgement(string text, int number) =>
        text.StartsWith($"Recorded for question {number}:", StringComparison.Ordinal)
        || text.StartsWith($"Skipped question {number}", StringComparison.Ordinal)
        || text.StartsWith($"Kept the existing answer to question {number}", StringComparison.Ordinal);

    public JsonObject ToActivity(TurnReference to, BotReply reply)
    {
        var activity = Message(to);
        var card = TeamsCards.For(reply, review.Value.PublicBaseUrl);
        if (card is not null && Encoding.UTF8.GetByteCount(card.ToJsonString()) <= TeamsCards.MaxCardBytes)
        {
            // Text and a card in one activity would be split by Teams into two messages; the card carries fallbackText.
            activity["attachments"] = new JsonArray { Attachment(card) };
            activity["summary"] = Summary(reply.Text);
        }
        else
        {
            activity["text"] = PlainText(reply.Text);
            activity["textFormat"] = "plain";
        }
        return activity;
    }

    /// <summary>Teams refuses messages over about 100 KB (UTF-16); plain text is cut well before that.</summary>
    internal const int MaxPlainTextChars = 20_000;

    internal static string PlainText(string text) =>
        text.Length <= MaxPlainTextChars ? text : text[..(MaxPlainTextChars - 1)] + "…";

    private static JsonObject Message(TurnReference to)
    {
        var o = new JsonObject { ["type"] = "message", ["conversation"] = new JsonObject { ["id"] = to.ConversationId } };
        if (to.Bot?.Id is { } botId) o["from"] = new JsonObject { ["id"] = botId, ["name"] = to.Bot.Name };
        if (to.User?.Id is { } userId) o["recipient"] = new JsonObject { ["id"] = userId, ["name"] = to.User.Name };
        return o;
    }

    private static JsonObject Typing(TurnReference to)
    {
        var o = Message(to);
        o["type"] = "typing";
        return o;
    }

    private static JsonObject Attachment(JsonObject card) => new() { ["contentType"] = TeamsCards.ContentType, ["content"] = card };

    private static string Summary(string text)
    {
        var line = text.Split('\n', 2)[0];
        return line.Length <= 200 ? line : line[..197] + "...";
    }
}

/// <summary>Where a stored Teams turn's replies go (the inbox envelope's route).</summary>
public sealed record TeamsRoute(
    string ServiceUrl,
    string ConversationId,
    string? ActivityId,
    string? ReplyToId,
    string? QuestionKey,
    string? BotId,
    string? BotName,
    string? UserId,
    string? UserName);

/// <summary>Sends the replies of a Teams turn the inbox worker ran.</summary>
public sealed class TeamsDeliverer(IServiceProvider services) : IInboxDeliverer
{
    public string Source => TeamsActivityMapper.ChannelName;

    public Task DeliverAsync(InboxEnvelope envelope, IReadOnlyList<BotReply> replies, CancellationToken ct)
    {
        var route = envelope.Route.Deserialize<TeamsRoute>(ActivityJson.Options)
            ?? throw new InvalidDataException("a Teams inbox item has no route");
        var to = new TurnReference(route.ServiceUrl, route.ConversationId, route.ActivityId,
            new ChannelAccount { Id = route.BotId, Name = route.BotName },
            new ChannelAccount { Id = route.UserId, Name = route.UserName });
        var submitted = new MappedMessage(envelope.Message, route.QuestionKey);
        // Resolved late: TeamsBot depends on the engine, which the inbox worker also holds.
        return services.GetRequiredService<TeamsBot>().DeliverAsync(to, replies, submitted, route.ReplyToId, ct, throwOnFailure: true);
    }
}

/// <summary>A bounded set of recently seen ids, to drop the Connector's redeliveries.</summary>
internal sealed class RecentIds(int capacity)
{
    private readonly HashSet<string> _set = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();

    public bool Add(string id)
    {
        lock (_lock)
        {
            if (!_set.Add(id)) return false;
            _order.Enqueue(id);
            if (_order.Count > capacity) _set.Remove(_order.Dequeue());
            return true;
        }
    }
}
