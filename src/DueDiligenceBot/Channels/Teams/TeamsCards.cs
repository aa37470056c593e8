using System.Text.Json.Nodes;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Conversation;

namespace DueDiligenceBot.Channels.Teams;

/// <summary>
/// Adaptive Cards 1.5 (the version Teams supports for bot cards), written as JSON by hand. Every button is an
/// Action.Submit whose data carries <c>action</c>: the <see cref="ReplyChoice.Value"/> for plain buttons, or
/// <c>answer</c> with the <c>questionKey</c> for a card whose input (id <c>answer</c>) holds the answer.
/// </summary>
public static class TeamsCards
{
    public const string ContentType = "application/vnd.microsoft.card.adaptive";
    public const string Version = "1.5";
    public const string AnswerInputId = "answer";
    public const string SubmitAnswerAction = "answer";
    /// <summary>Teams' bot message limit is about 100 KB; above this a reply goes out as plain text.</summary>
    public const int MaxCardBytes = 80 * 1024;

    /// <summary>The card for a reply, or null when plain text says it all (information without buttons).</summary>
    public static JsonObject? For(BotReply reply, string publicBaseUrl) => reply.Kind switch
    {
        ReplyKind.Question when reply.Question is not null => Question(reply),
        ReplyKind.KnowledgeAnswer => KnowledgeAnswer(reply),
        ReplyKind.MemoSummary => MemoSummary(reply, publicBaseUrl),
        ReplyKind.Welcome => Welcome(reply),
        _ when reply.Choices.Count > 0 => TextWithButtons(reply),
        _ => null,
    };

    public static JsonObject Question(BotReply reply)
    {
        var q = reply.Question!;
        var body = new JsonArray
        {
            Text($"Question {q.Number} · {q.SectionTitle} · {q.Position - 1} done, {q.Remaining} to go", subtle: true, size: "Small"),
            Text(q.Prompt, weight: "Bolder"),
        };
        if (q.CurrentAnswer is { } current)
            body.Add(Text($"Current answer: {current}", subtle: true));

        var answerButtons = reply.Choices.Where(c => c.Value.StartsWith('@')).ToList();
        var commandButtons = reply.Choices.Where(c => !c.Value.StartsWith('@')).ToList();
        var unknown = answerButtons.Where(c => c.Value.EndsWith("=unknown", StringComparison.Ordinal)).ToList();

        switch (q.Type)
        {
            case QuestionType.YesNo:
                body.Add(ActionSet(answerButtons.Select(Submit)));
                break;
            case QuestionType.Choice:
            case QuestionType.MultiChoice:
                var choices = new JsonArray();
                foreach (var o in q.Options) choices.Add(new JsonObject { ["title"] = o.Label, ["value"] = o.Value });
                body.Add(new JsonObject
                {
                    ["type"] = "Input.ChoiceSet",
                    ["id"] = AnswerInputId,
                    ["label"] = q.Type == QuestionType.MultiChoice ? "Pick all that apply" : "Pick one",
                    ["style"] = "expanded",
                    ["isMultiSelect"] = q.Type == QuestionType.MultiChoice,
                    ["isRequired"] = true,
                    ["errorMessage"] = "Pick an option, or use Unknown or Skip.",
                    ["choices"] = choices,
                });
                body.Add(ActionSet([AnswerSubmit(q, "Answer"), .. unknown.Select(Submit)]));
                break;
            case QuestionType.Date:
                body.Add(new JsonObject
                {
                    ["type"] = "Input.Date",
                    ["id"] = AnswerInputId,
                    ["label"] = "Date",
                    ["isRequired"] = true,
                    ["errorMessage"] = "Pick a date, or use Unknown or Skip.",
                });
                body.Add(ActionSet([AnswerSubmit(q, "Answer"), .. unknown.Select(Submit)]));
                break;
            case QuestionType.Number:
                body.Add(new JsonObject
                {
                    ["type"] = "Input.Number",
                    ["id"] = AnswerInputId,
                    ["label"] = q.Unit is null ? "Number" : $"Number of {q.Unit}",
                    ["min"] = 0,
                    ["isRequired"] = true,
                    ["errorMessage"] = "Enter a whole number, or use Unknown or Skip.",
                });
                body.Add(ActionSet([AnswerSubmit(q, "Answer"), .. unknown.Select(Submit)]));
                break;
            default:
                body.Add(new JsonObject
                {
                    ["type"] = "Input.Text",
                    ["id"] = AnswerInputId,
                    ["label"] = "Your answer",
                    ["isMultiline"] = true,
                    ["maxLength"] = 2000,
                    ["isRequired"] = true,
                    ["errorMessage"] = "Write a few words, 'none' if there is nothing, or use Skip.",
                });
                body.Add(ActionSet([AnswerSubmit(q, "Answer"), .. unknown.Select(Submit)]));
                break;
        }
        if (commandButtons.Count > 0) body.Add(ActionSet(commandButtons.Select(c => Submit(c, q.Key))));
        return Card(body, reply.Text);
    }

    /// <summary>The question card after someone answered it: the recorded answer and its author, and no buttons, so it cannot be submitted twice.</summary>
    public static JsonObject Answered(QuestionPrompt q, string outcome, string author) => Card(
        [
            Text($"Question {q.Number} · {q.SectionTitle}", subtle: true, size: "Small"),
            Text(q.Prompt, weight: "Bolder"),
            Text($"✔ {outcome}", color: "Good"),
            Text($"Answered by {author}", subtle: true, size: "Small"),
        ],
        $"{q.Prompt}\n{outcome} (answered by {author})");

    public static JsonObject KnowledgeAnswer(BotReply reply)
    {
        var body = new JsonArray { Text(reply.Text) };
        if (reply.Citations.Count > 0)
        {
            body.Add(Text("Sources", weight: "Bolder", size: "Small", separator: true));
            foreach (var c in reply.Citations)
            {
                var title = c.Url is { } url && Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme == Uri.UriSchemeHttps
                    ? $"[{c.Title}]({url})" : c.Title;
                body.Add(Text($"[{c.Number}] {title} — {c.Section} ({c.Source})", size: "Small"));
            }
        }
        if (reply.Choices.Count > 0) body.Add(ActionSet(reply.Choices.Select(Submit)));
        return Card(body, reply.Text);
    }

    public static JsonObject MemoSummary(BotReply reply, string publicBaseUrl)
    {
        var lines = reply.Text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var body = new JsonArray { Text("Risk memo", weight: "Bolder", size: "Medium") };
        foreach (var line in lines) body.Add(Text(line));
        var actions = new List<JsonObject>();
        if (reply.Link is { } link && LinkUrl(publicBaseUrl, link) is { } url)
            actions.Add(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open the review page", ["url"] = url });
        actions.AddRange(reply.Choices.Select(Submit));
        if (actions.Count > 0) body.Add(ActionSet(actions));
        return Card(body, reply.Text);
    }

    public static JsonObject Welcome(BotReply reply)
    {
        var body = new JsonArray { Text("DueDiligenceBot", weight: "Bolder", size: "Medium") };
        foreach (var line in reply.Text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            body.Add(Text(line));
        body.Add(Text("Try: start review Acme Health · what is a bridge letter?", subtle: true, size: "Small"));
        if (reply.Choices.Count > 0) body.Add(ActionSet(reply.Choices.Select(Submit)));
        return Card(body, reply.Text);
    }

    public static JsonObject TextWithButtons(BotReply reply)
    {
        var body = new JsonArray();
        foreach (var line in reply.Text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            body.Add(Text(line, color: reply.Kind == ReplyKind.Reprompt ? "Attention" : null));
        body.Add(ActionSet(reply.Choices.Select(Submit)));
        return Card(body, reply.Text);
    }

    /// <summary>An absolute link for a relative one (<c>/vendors/Acme</c>), https or loopback http only.</summary>
    public static string? LinkUrl(string publicBaseUrl, string link)
    {
        if (!Uri.TryCreate(publicBaseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri)) return null;
        if (!Uri.TryCreate(baseUri, link.TrimStart('/'), out var full)) return null;
        return full.Scheme == Uri.UriSchemeHttps || (full.Scheme == Uri.UriSchemeHttp && full.IsLoopback) ? full.AbsoluteUri : null;
    }

    // ----- building blocks --------------------------------------------------------------------------

    private static JsonObject Card(JsonArray body, string fallback) => new()
    {
        ["type"] = "AdaptiveCard",
        ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
        ["version"] = Version,
        ["fallbackText"] = fallback,
        ["body"] = body,
    };

    private static JsonObject Text(string text, bool subtle = false, string? size = null, string? weight = null, string? color = null,
        bool separator = false)
    {
        // Hosts drop what looks like HTML ("resume <vendor>" would read "resume "): show angle brackets as guillemets.
        var o = new JsonObject { ["type"] = "TextBlock", ["text"] = text.Replace('<', '‹').Replace('>', '›'), ["wrap"] = true };
        if (subtle) o["isSubtle"] = true;
        if (size is not null) o["size"] = size;
        if (weight is not null) o["weight"] = weight;
        if (color is not null) o["color"] = color;
        if (separator) o["separator"] = true;
        return o;
    }

    private static JsonObject ActionSet(IEnumerable<JsonObject> actions)
    {
        var array = new JsonArray();
        foreach (var a in actions) array.Add(a);
        return new JsonObject { ["type"] = "ActionSet", ["actions"] = array };
    }

    private static JsonObject Submit(ReplyChoice choice) => Submit(choice, null);

    /// <summary>A button; on a question card its data also names the question, so the card can be updated after the click.</summary>
    private static JsonObject Submit(ReplyChoice choice, string? questionKey)
    {
        var data = new JsonObject { ["action"] = choice.Value };
        if (questionKey is not null) data["questionKey"] = questionKey;
        return new JsonObject { ["type"] = "Action.Submit", ["title"] = choice.Label, ["data"] = data };
    }

    private static JsonObject AnswerSubmit(QuestionPrompt q, string title) => new()
    {
        ["type"] = "Action.Submit",
        ["title"] = title,
        ["data"] = new JsonObject { ["action"] = SubmitAnswerAction, ["questionKey"] = q.Key },
    };
}
