using System.Text.Json;
using System.Text.RegularExpressions;
using DueDiligenceBot.Core.Conversation;

namespace DueDiligenceBot.Channels.Teams;

/// <summary>A message activity read for the engine: the <see cref="IncomingMessage"/> and, for a card submission, the question it came from.</summary>
public sealed record MappedMessage(IncomingMessage Message, string? QuestionKey);

/// <summary>Turns Teams activities into <see cref="IncomingMessage"/>s.</summary>
public static class TeamsActivityMapper
{
    public const string ChannelName = "teams";
    private const int MaxValueLength = 2000;

    /// <summary>
    /// A message: the text with the bot's @mention removed (using the mention entities, as botbuilder's
    /// RemoveRecipientMention does), and Action.Submit data from <c>value</c>.
    /// </summary>
    public static MappedMessage? Message(Activity a) => FromData(a, a.Value, StripRecipientMention(a));

    /// <summary>An <c>adaptiveCard/action</c> invoke: the Action.Execute's <c>data</c> read like Action.Submit data.</summary>
    public static MappedMessage? Invoke(Activity a)
    {
        if (a.Value is not { ValueKind: JsonValueKind.Object } v
            || !v.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.Object
            || !action.TryGetProperty("type", out var type) || type.GetString() != "Action.Execute")
            return null;
        var data = action.TryGetProperty("data", out var d) ? d : (JsonElement?)null;
        return FromData(a, data, null);
    }

    private static MappedMessage? FromData(Activity a, JsonElement? value, string? text)
    {
        if (a.Conversation?.Id is not { Length: > 0 } conversationId || a.From?.Id is not { Length: > 0 } fromId) return null;
        string? action = null;
        string? questionKey = null;
        if (value is { ValueKind: JsonValueKind.Object } data)
        {
            questionKey = String(data, "questionKey");
            var act = String(data, "action");
            if (act == TeamsCards.SubmitAnswerAction && questionKey is { Length: > 0 })
                action = ChoiceValues.Answer(questionKey, InputValue(data, TeamsCards.AnswerInputId) ?? "");
            else if (act is { Length: > 0 })
                action = act;
            if (action is { Length: > MaxValueLength }) action = action[..MaxValueLength];
            if (questionKey is null && action is not null && ChoiceValues.TryParseAnswer(action, out var key, out _))
                questionKey = key;
        }
        var userId = a.From.AadObjectId is { Length: > 0 } aad ? aad : fromId;
        var userName = string.IsNullOrWhiteSpace(a.From.Name) ? "Teams user" : a.From.Name.Trim();
        return new MappedMessage(new IncomingMessage(ChannelName, conversationId, userId, userName, text, action), questionKey);
    }

    /// <summary>Removes every mention of the bot (entities whose <c>mentioned.id</c> is the recipient) from the text.</summary>
    public static string? StripRecipientMention(Activity a)
    {
        var text = a.Text;
        if (string.IsNullOrEmpty(text) || a.Entities is null || a.Recipient?.Id is not { Length: > 0 } botId) return text?.Trim();
        foreach (var e in a.Entities)
        {
            if (e.ValueKind != JsonValueKind.Object || String(e, "type") != "mention") continue;
            if (!e.TryGetProperty("mentioned", out var mentioned) || mentioned.ValueKind != JsonValueKind.Object) continue;
            if (String(mentioned, "id") != botId) continue;
            var mentionText = String(e, "text") ?? (String(mentioned, "name") is { } name ? $"<at>{name}</at>" : null);
            if (string.IsNullOrEmpty(mentionText)) continue;
            text = Regex.Replace(text, Regex.Escape(mentionText), "", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        return text.Replace("&nbsp;", " ", StringComparison.Ordinal).Trim();
    }

    private static string? InputValue(JsonElement data, string name)
    {
        if (!data.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "yes",
            JsonValueKind.False => "no",
            _ => null,
        };
    }

    private static string? String(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
