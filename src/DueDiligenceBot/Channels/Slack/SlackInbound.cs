using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Inbox;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>What to answer Slack right away: a status and, for some requests, a JSON body.</summary>
public sealed record SlackAck(int Status, JsonObject? Body = null)
{
    public static readonly SlackAck Ok = new(200);
    public static readonly SlackAck Forbidden = new(403);
}

/// <summary>
/// Turns verified Slack payloads (from HTTP or Socket Mode alike) into inbox items: checks the workspace,
/// ignores what should not be answered and stores the message with its route in the durable inbox, keyed
/// by Slack's delivery id, so a retry or a duplicate (on any instance, after any restart) is not run twice.
/// The inbox worker runs the turn and <see cref="SlackDeliverer"/> posts the replies.
/// </summary>
public sealed class SlackInbound(IOptions<SlackOptions> options, EventInbox inbox, SlackStore store, SlackWorker worker,
    SlackApiClient api, SlackUserNames names, ILogger<SlackInbound> logger)
{
    /// <summary>How long <c>/dd review</c> may wait for conversations.open before acknowledging.</summary>
    public static readonly TimeSpan DirectMessageBudget = TimeSpan.FromSeconds(1.5);
    public const string ChannelName = "slack";
    private static readonly HashSet<string> AnsweredSubtypes = ["file_share", "thread_broadcast"];
    private readonly SlackOptions _options = options.Value;

    // ----- Events API ----------------------------------------------------------------------------

    public async Task<SlackAck> OnEventAsync(JsonElement root, int retryNum, CancellationToken ct)
    {
        var type = Str(root, "type");
        if (type == "url_verification")
            return new SlackAck(200, new JsonObject { ["challenge"] = Str(root, "challenge") ?? "" });
        if (type != "event_callback") return SlackAck.Ok;

        var team = Str(root, "team_id");
        if (!AllowedTeam(team)) return SlackAck.Forbidden;
        var eventId = Str(root, "event_id");
        if (eventId is null || !root.TryGetProperty("event", out var ev) || ev.ValueKind != JsonValueKind.Object) return SlackAck.Ok;

        var evType = Str(ev, "type");
        var isMention = evType == "app_mention";
        var isDm = evType == "message" && Str(ev, "channel_type") == "im";
        if (!isMention && !isDm) { Log.Ignored(logger, "event", eventId, "event type"); return SlackAck.Ok; }

        var botUsers = BotUserIds(root);
        var user = Str(ev, "user");
        var subtype = Str(ev, "subtype");
        var reason =
            ev.TryGetProperty("bot_id", out _) || ev.TryGetProperty("bot_profile", out _) ? "bot message"
            : user is null ? "no user"
            : botUsers.Contains(user) ? "own message"
            : subtype is not null && !AnsweredSubtypes.Contains(subtype) ? "subtype"
            : null;
        if (reason is not null) { Log.Ignored(logger, "event", eventId, reason); return SlackAck.Ok; }

        var channel = Str(ev, "channel");
        var ts = Str(ev, "ts");
        if (channel is null || ts is null) return SlackAck.Ok;
        var text = SlackText.Unescape(Str(ev, "text") ?? "");
        if (isMention) text = SlackText.StripBotMention(text, botUsers);
        var threadTs = Str(ev, "thread_ts");

        SlackRoute route;
        string conversation;
        if (isDm)
        {
            conversation = channel;
            route = new SlackRoute(team ?? "", channel, ThreadTs: threadTs, AnswerThreadTs: ts);
        }
        else
        {
            var thread = threadTs ?? ts;
            conversation = $"{channel}/{thread}";
            route = new SlackRoute(team ?? "", channel, ThreadTs: thread);
        }
        var message = new IncomingMessage(ChannelName, conversation, user!, await names.NameAsync(user!, user!, ct), text);
        return await EnqueueAsync(eventId, message, route, retryNum, ct);
    }

    // ----- slash commands ------------------------------------------------------------------------

    public async Task<SlackAck> OnCommandAsync(IReadOnlyDictionary<string, string> form, CancellationToken ct)
    {
        var team = Get(form, "team_id");
        if (!AllowedTeam(team)) return SlackAck.Forbidden;
        var user = Get(form, "user_id");
        var channel = Get(form, "channel_id");
        var responseUrl = Get(form, "response_url");
        var trigger = Get(form, "trigger_id");
        if (user is null || channel is null || responseUrl is null || trigger is null) return SlackAck.Ok;

        var text = (Get(form, "text") ?? "").Trim();
        var (engineText, openDm, ack) = Subcommand(text);
        var userName = names.Name(user, Get(form, "user_name") ?? user);
        var conversation = $"{channel}/{user}";
        var route = new SlackRoute(team ?? "", channel, ResponseUrl: responseUrl);
        if (openDm)
        {
            // A review is walked in the person's DM with the bot, where their typed answers arrive too.
            if (await OpenDirectMessageAsync(user, ct) is not { } dm)
                return Ephemeral("I could not open a direct message with you. Please message me directly and say it there.");
            conversation = dm;
            route = new SlackRoute(team ?? "", dm);
        }
        var message = new IncomingMessage(ChannelName, conversation, user, userName, engineText);
        var queued = await EnqueueAsync($"cmd:{trigger}", message, route, 0, ct);
        return ack is not null ? Ephemeral(ack) : queued;
    }

    private async Task<string?> OpenDirectMessageAsync(string user, CancellationToken ct)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(DirectMessageBudget);
        try
        {
            return await api.OpenDirectMessageAsync(user, budget.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Log.DirectMessageFailed(logger, "timeout");
            return null;
        }
    }

    private static SlackAck Ephemeral(string text) =>
        new(200, new JsonObject { ["response_type"] = "ephemeral", ["text"] = SlackText.Escape(text) });

    /// <summary><c>/dd review X</c>, <c>/dd memo X</c>, <c>/dd help</c> and <c>/dd question</c> as the engine reads them.</summary>
    internal static (string Text, bool OpenDm, string? Ack) Subcommand(string text)
    {
        var space = text.IndexOf(' ');
        var verb = (space < 0 ? text : text[..space]).ToLowerInvariant();
        var rest = space < 0 ? "" : text[(space + 1)..].Trim();
        return verb switch
        {
            "" or "help" when rest.Length == 0 => ("help", false, null),
            "review" when rest.Length > 0 => ($"start review {rest}", true, $"Opening the review of {rest} in our direct messages…"),
            "resume" when rest.Length > 0 => ($"resume {rest}", true, $"Resuming the review of {rest} in our direct messages…"),
            "memo" when rest.Length > 0 => ($"memo {rest}", false, null),
            _ => (text, false, null),
        };
    }

    // ----- interactivity -------------------------------------------------------------------------

    public async Task<SlackAck> OnInteractionAsync(JsonElement payload, CancellationToken ct)
    {
        if (Str(payload, "type") != "block_actions") return SlackAck.Ok;
        var team = payload.TryGetProperty("team", out var t) && t.ValueKind == JsonValueKind.Object ? Str(t, "id") : null;
        payload.TryGetProperty("user", out var userElement);
        team ??= userElement.ValueKind == JsonValueKind.Object ? Str(userElement, "team_id") : null;
        if (!AllowedTeam(team)) return SlackAck.Forbidden;
        if (userElement.ValueKind != JsonValueKind.Object || Str(userElement, "id") is not { } user) return SlackAck.Ok;
        var payloadName = Str(userElement, "name") ?? Str(userElement, "username") ?? user;

        if (!payload.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array || actions.GetArrayLength() == 0)
            return SlackAck.Ok;
        var action = actions[0];
        var actionId = Str(action, "action_id") ?? "";
        var deliveryId = $"act:{Str(payload, "trigger_id") ?? ""}:{Str(action, "action_ts") ?? ""}";

        payload.TryGetProperty("container", out var container);
        var channel = (container.ValueKind == JsonValueKind.Object ? Str(container, "channel_id") : null)
            ?? (payload.TryGetProperty("channel", out var ch) && ch.ValueKind == JsonValueKind.Object ? Str(ch, "id") : null);
        var ephemeral = container.ValueKind == JsonValueKind.Object && container.TryGetProperty("is_ephemeral", out var e) && e.ValueKind == JsonValueKind.True;
        var responseUrl = Str(payload, "response_url");
        payload.TryGetProperty("message", out var posted);
        var messageTs = posted.ValueKind == JsonValueKind.Object ? Str(posted, "ts") : null;
        var threadTs = posted.ValueKind == JsonValueKind.Object ? Str(posted, "thread_ts") : null;
        var blocks = posted.ValueKind == JsonValueKind.Object && posted.TryGetProperty("blocks", out var b) && b.ValueKind == JsonValueKind.Array
            ? JsonNode.Parse(b.GetRawText())!.AsArray() : null;
        if (channel is null) return SlackAck.Ok;

        var userName = names.Name(user, payloadName);
        if (actionId.StartsWith(SlackBlocks.FeedbackAction, StringComparison.Ordinal))
        {
            // A rating is stored at once (an upsert: a repeated click changes nothing); only the thank-you waits.
            if (!long.TryParse(Str(action, "value"), NumberStyles.None, CultureInfo.InvariantCulture, out var questionId)) return SlackAck.Ok;
            var rating = actionId[SlackBlocks.FeedbackAction.Length..];
            if (!await store.RateAsync(questionId, user, userName, rating, ct)) return SlackAck.Ok;
            Log.FeedbackRecorded(logger, questionId, rating);
            var said = rating == FeedbackRating.Helpful ? "helpful" : "not helpful";
            var note = $"Feedback: {said}, from {SlackText.Escape(userName)}. Thank you.";
            worker.TryEnqueue(new SlackFeedbackJob(channel, ephemeral ? null : messageTs, ephemeral ? null : blocks,
                ephemeral ? responseUrl : null, questionId, note));
            return SlackAck.Ok;
        }

        var (value, questionKey) = ActionValue(actionId, action, payload);
        if (value is null) { Log.Ignored(logger, "action", deliveryId, "no value"); return SlackAck.Ok; }

        var answered = !ephemeral && messageTs is not null && blocks is not null && questionKey is not null
            ? new AnsweredMessage(channel, messageTs, blocks, questionKey)
            : null;
        SlackRoute route;
        string conversation;
        if (ephemeral && responseUrl is not null)
        {
            conversation = $"{channel}/{user}";
            route = new SlackRoute(team ?? "", channel, ResponseUrl: responseUrl);
        }
        else if (channel.StartsWith('D'))
        {
            conversation = channel;
            route = new SlackRoute(team ?? "", channel, ThreadTs: threadTs, Answered: answered);
        }
        else
        {
            var root = threadTs ?? messageTs ?? "";
            conversation = $"{channel}/{root}";
            route = new SlackRoute(team ?? "", channel, ThreadTs: threadTs ?? messageTs, Answered: answered);
        }
        var message = new IncomingMessage(ChannelName, conversation, user, userName, null, value);
        return await EnqueueAsync(deliveryId, message, route, 0, ct);
    }

    /// <summary>The engine action a Block Kit action stands for, and the question it answers (for chat.update).</summary>
    internal static (string? Value, string? QuestionKey) ActionValue(string actionId, JsonElement action, JsonElement payload)
    {
        string? value = null;
        if (actionId.StartsWith(SlackBlocks.ChoiceAction + ":", StringComparison.Ordinal))
            value = Str(action, "value");
        else if (actionId.StartsWith(SlackBlocks.SelectAction, StringComparison.Ordinal))
            value = action.TryGetProperty("selected_option", out var o) && o.ValueKind == JsonValueKind.Object ? Str(o, "value") : null;
        else if (actionId.StartsWith(SlackBlocks.DateAction, StringComparison.Ordinal) && Str(action, "selected_date") is { } date)
            value = ChoiceValues.Answer(actionId[SlackBlocks.DateAction.Length..], date);
        else if (actionId.StartsWith(SlackBlocks.InputAction, StringComparison.Ordinal) && Str(action, "value") is { Length: > 0 } typed)
            value = ChoiceValues.Answer(actionId[SlackBlocks.InputAction.Length..], Clip(typed.Trim()));
        else if (actionId.StartsWith(SlackBlocks.MultiSubmitAction, StringComparison.Ordinal))
        {
            var key = actionId[SlackBlocks.MultiSubmitAction.Length..];
            var picked = SelectedInState(payload, SlackBlocks.MultiAction + key);
            if (picked.Count > 0) value = ChoiceValues.Answer(key, string.Join(", ", picked));
        }
        if (value is null) return (null, null);
        if (value.Length > 2000) value = value[..2000];
        return ChoiceValues.TryParseAnswer(value, out var k, out _) ? (value, k) : (value, value is "skip" ? KeyOfBlock(action) : null);
    }

    private static string? KeyOfBlock(JsonElement action) =>
        Str(action, "block_id") is { } block && block.StartsWith(SlackBlocks.QuestionBlock, StringComparison.Ordinal)
            ? block[SlackBlocks.QuestionBlock.Length..].Split(':')[0]
            : null;

    private static List<string> SelectedInState(JsonElement payload, string actionId)
    {
        var picked = new List<string>();
        if (!payload.TryGetProperty("state", out var state) || !state.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Object)
            return picked;
        foreach (var block in values.EnumerateObject())
            if (block.Value.ValueKind == JsonValueKind.Object && block.Value.TryGetProperty(actionId, out var input)
                && input.TryGetProperty("selected_options", out var options) && options.ValueKind == JsonValueKind.Array)
                foreach (var option in options.EnumerateArray())
                    if (Str(option, "value") is { } v) picked.Add(v);
        return picked;
    }

    // ----- shared --------------------------------------------------------------------------------

    private async Task<SlackAck> EnqueueAsync(string deliveryId, IncomingMessage message, SlackRoute route, int retryNum, CancellationToken ct)
    {
        if (!await inbox.EnqueueAsync(ChannelName, deliveryId, new InboxEnvelope(message, route.ToJson()), ct))
            Log.Duplicate(logger, deliveryId, retryNum);
        return SlackAck.Ok;
    }

    private bool AllowedTeam(string? team)
    {
        if (_options.IsAllowedTeam(team)) return true;
        Log.ForeignTeam(logger, team is null ? "(none)" : SlackText.Clip(team, 20));
        return false;
    }

    private static HashSet<string> BotUserIds(JsonElement root)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (root.TryGetProperty("authorizations", out var auths) && auths.ValueKind == JsonValueKind.Array)
            foreach (var a in auths.EnumerateArray())
                if (a.TryGetProperty("is_bot", out var isBot) && isBot.ValueKind == JsonValueKind.True && Str(a, "user_id") is { } id)
                    ids.Add(id);
        return ids;
    }

    private static string Clip(string text) => text.Length <= ConversationEngine.MaxTextLength ? text : text[..ConversationEngine.MaxTextLength];

    internal static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string? Get(IReadOnlyDictionary<string, string> form, string name) =>
        form.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
}
