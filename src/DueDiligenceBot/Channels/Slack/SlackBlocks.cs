using System.Text.Json.Nodes;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Conversation;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>One Slack message: the <c>text</c> fallback (always set) and its Block Kit blocks.</summary>
public sealed record SlackMessage(string Text, JsonArray Blocks);

/// <summary>
/// Renders <see cref="BotReply"/>s as Block Kit within Slack's limits: 50 blocks a message, 3,000
/// characters a section, 25 elements an actions block, 10 a context block; long replies are split
/// across sections and messages. Everything from the conversation is escaped before it reaches mrkdwn.
/// </summary>
public static class SlackBlocks
{
    public const int MaxBlocks = 50;
    public const int MaxSectionText = 3000;
    public const int MaxFallbackText = 3000;
    /// <summary>Slack refuses messages whose blocks hold much more than ~13 K characters (msg_blocks_too_long).</summary>
    public const int MaxMessageChars = 11000;
    private const int MaxActions = 25;
    private const int MaxButtonsBeforeSelect = 5;
    private const int MaxButtonText = 75;
    private const int MaxOptionText = 75;

    // action_id prefixes; the interaction handler maps them back.
    public const string ChoiceAction = "choice";
    public const string SelectAction = "select:";
    public const string DateAction = "date:";
    public const string InputAction = "input:";
    public const string MultiAction = "multi:";
    public const string MultiSubmitAction = "multisubmit:";
    public const string FeedbackAction = "feedback:";
    public const string QuestionBlock = "q:";
    public const string FeedbackBlock = "fb:";

    /// <param name="feedbackIds">For each KnowledgeAnswer reply (by index), the stored question id its feedback buttons carry.</param>
    public static IReadOnlyList<SlackMessage> Render(IReadOnlyList<BotReply> replies, string publicBaseUrl,
        IReadOnlyDictionary<int, long>? feedbackIds = null)
    {
        var parts = new List<(JsonObject Block, int Chars, string? Fallback)>();
        for (var i = 0; i < replies.Count; i++)
        {
            var r = replies[i];
            var first = true;
            foreach (var block in RenderReply(r, i, publicBaseUrl, feedbackIds is not null && feedbackIds.TryGetValue(i, out var id) ? id : null))
            {
                parts.Add((block, block.ToJsonString().Length, first ? r.Text : null));
                first = false;
            }
        }

        var messages = new List<SlackMessage>();
        var blocks = new JsonArray();
        var fallback = new List<string>();
        var chars = 0;
        foreach (var (block, size, text) in parts)
        {
            if (blocks.Count > 0 && (blocks.Count == MaxBlocks || chars + size > MaxMessageChars))
            {
                messages.Add(new SlackMessage(Fallback(fallback), blocks));
                blocks = [];
                fallback = [];
                chars = 0;
            }
            blocks.Add(block);
            chars += size;
            if (text is not null) fallback.Add(text);
        }
        if (blocks.Count > 0) messages.Add(new SlackMessage(Fallback(fallback), blocks));
        return messages;
    }

    private static string Fallback(List<string> texts)
    {
        // A message that continues a long reply has no text of its own; say so rather than send an empty fallback.
        var joined = texts.Count == 0 ? "(continued)" : string.Join("\n\n", texts);
        return SlackText.Escape(SlackText.Clip(joined, MaxFallbackText));
    }

    private static IEnumerable<JsonObject> RenderReply(BotReply r, int index, string publicBaseUrl, long? feedbackId)
    {
        foreach (var chunk in SlackText.Chunk(SlackText.Escape(r.Text.Trim()), MaxSectionText))
            yield return Section(chunk);

        if (r.Kind == ReplyKind.KnowledgeAnswer && r.Citations.Count > 0)
            foreach (var context in Citations(r.Citations)) yield return context;

        if (r.Link is { } link && Absolute(publicBaseUrl, link) is { } url && SlackText.Link(url, "Open the review page") is { } mrkdwnLink)
            yield return new JsonObject { ["type"] = "context", ["elements"] = new JsonArray(Mrkdwn(mrkdwnLink)) };

        if (r.Question is { } q)
        {
            foreach (var block in QuestionInputs(q, r.Choices)) yield return block;
        }
        else if (r.Choices.Count > 0)
        {
            var n = 0;
            foreach (var batch in r.Choices.Chunk(MaxActions))
                yield return Actions($"choices:{index}:{n++}", batch.Select((c, i) => Button(c.Label, c.Value, $"{ChoiceAction}:{i}")));
        }

        if (r.Kind == ReplyKind.KnowledgeAnswer && feedbackId is long id)
        {
            var value = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            yield return Actions($"{FeedbackBlock}{value}",
            [
                Button("👍 Helpful", value, FeedbackAction + FeedbackRating.Helpful),
                Button("👎 Not helpful", value, FeedbackAction + FeedbackRating.NotHelpful),
            ]);
        }
    }

    private static IEnumerable<JsonObject> Citations(IReadOnlyList<Citation> citations)
    {
        var elements = new JsonArray();
        foreach (var c in citations.Take(10))
        {
            var title = $"{c.Title} — {c.Section}";
            var linked = SlackText.Link(c.Url, c.Source) ?? SlackText.Escape(c.Source);
            elements.Add(Mrkdwn(SlackText.Clip($"[{c.Number}] {SlackText.Escape(title)} ({linked})", 2000)));
        }
        yield return new JsonObject { ["type"] = "context", ["elements"] = elements };
    }

    /// <summary>The inputs of a checklist question: buttons, a select or a date picker, then the command buttons.</summary>
    private static IEnumerable<JsonObject> QuestionInputs(QuestionPrompt q, IReadOnlyList<ReplyChoice> choices)
    {
        var block = $"{QuestionBlock}{q.Key}";
        var answerButtons = choices.Where(c => ChoiceValues.TryParseAnswer(c.Value, out var key, out _) && key == q.Key).ToList();
        var commands = choices.Except(answerButtons).ToList();
        var elements = new List<JsonObject>();

        switch (q.Type)
        {
            case QuestionType.Choice when q.Options.Count > MaxButtonsBeforeSelect:
                elements.Add(new JsonObject
                {
                    ["type"] = "static_select",
                    ["action_id"] = SelectAction + q.Key,
                    ["placeholder"] = PlainText("Pick one"),
                    ["options"] = new JsonArray(q.Options.Take(100).Select(o => Option(o.Label, ChoiceValues.Answer(q.Key, o.Value))).ToArray<JsonNode?>()),
                });
                answerButtons = answerButtons.Where(c => c.Value == ChoiceValues.Answer(q.Key, "unknown")).ToList();
                break;
            case QuestionType.MultiChoice:
                // Picks are collected in the select and recorded by the button, so one answer is stored, not one per pick.
                yield return Actions($"{block}:multi",
                [
                    new JsonObject
                    {
                        ["type"] = "multi_static_select",
                        ["action_id"] = MultiAction + q.Key,
                        ["placeholder"] = PlainText("Pick all that apply"),
                        ["options"] = new JsonArray(q.Options.Take(100).Select((o, i) => Option(o.Label, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray<JsonNode?>()),
                    },
                    Button("Record selection", "record", MultiSubmitAction + q.Key, primary: true),
                ]);
                break;
            case QuestionType.Date:
                elements.Add(new JsonObject { ["type"] = "datepicker", ["action_id"] = DateAction + q.Key, ["placeholder"] = PlainText("Pick a date") });
                break;
            case QuestionType.Number:
                yield return Input($"{block}:in", new JsonObject
                {
                    ["type"] = "number_input",
                    ["is_decimal_allowed"] = false,
                    ["action_id"] = InputAction + q.Key,
                    ["min_value"] = "0",
                }, q.Unit is null ? "Number (press Enter)" : $"Number of {q.Unit} (press Enter)");
                break;
            case QuestionType.Text:
                yield return Input($"{block}:in", new JsonObject
                {
                    ["type"] = "plain_text_input",
                    ["action_id"] = InputAction + q.Key,
                    ["max_length"] = 2000,
                }, "Your answer (press Enter)");
                break;
        }

        elements.AddRange(answerButtons.Concat(commands).Select((c, i) => Button(c.Label, c.Value, $"{ChoiceAction}:{i}")));
        var n = 0;
        foreach (var batch in elements.Chunk(MaxActions))
            yield return Actions($"{block}:a{n++}", batch);
    }

    public static JsonObject Section(string mrkdwn) =>
        new() { ["type"] = "section", ["text"] = Mrkdwn(mrkdwn) };

    public static JsonObject Context(string mrkdwn) =>
        new() { ["type"] = "context", ["elements"] = new JsonArray(Mrkdwn(SlackText.Clip(mrkdwn, 2000))) };

    private static JsonObject Mrkdwn(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    private static JsonObject Actions(string blockId, IEnumerable<JsonObject> elements) =>
        new() { ["type"] = "actions", ["block_id"] = blockId, ["elements"] = new JsonArray(elements.ToArray<JsonNode?>()) };

    private static JsonObject Input(string blockId, JsonObject element, string label) => new()
    {
        ["type"] = "input",
        ["block_id"] = blockId,
        ["dispatch_action"] = true,
        ["element"] = element,
        ["label"] = PlainText(label),
    };

    private static JsonObject Button(string label, string value, string actionId, bool primary = false)
    {
        var button = new JsonObject
        {
            ["type"] = "button",
            ["text"] = PlainText(SlackText.Clip(label, MaxButtonText)),
            ["value"] = SlackText.Clip(value, 2000),
            ["action_id"] = actionId,
        };
        if (primary) button["style"] = "primary";
        return button;
    }

    private static JsonObject Option(string label, string value) => new()
    {
        ["text"] = PlainText(SlackText.Clip(label, MaxOptionText)),
        ["value"] = SlackText.Clip(value, 150),
    };

    private static string? Absolute(string baseUrl, string link)
    {
        if (Uri.TryCreate(link, UriKind.Absolute, out var abs) && abs.Scheme is "http" or "https") return abs.ToString();
        return link.StartsWith('/') ? baseUrl.TrimEnd('/') + link : null;
    }
}
