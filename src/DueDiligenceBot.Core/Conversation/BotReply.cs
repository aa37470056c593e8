using DueDiligenceBot.Core.Checklist;

namespace DueDiligenceBot.Core.Conversation;

public enum ReplyKind
{
    /// <summary>Plain information: confirmations, status, help.</summary>
    Info,
    /// <summary>A checklist question; <see cref="BotReply.Question"/> is set.</summary>
    Question,
    /// <summary>An answer to a framework question, with citations.</summary>
    KnowledgeAnswer,
    /// <summary>The input did not fit; says what is accepted.</summary>
    Reprompt,
    /// <summary>A risk memo summary; <see cref="BotReply.Link"/> points at the review page.</summary>
    MemoSummary,
    /// <summary>What the bot can do, for new users.</summary>
    Welcome,
}

/// <summary>A button: <see cref="Label"/> is shown, <see cref="Value"/> comes back as <see cref="IncomingMessage.Action"/>.</summary>
public sealed record ReplyChoice(string Label, string Value);

/// <summary>A numbered reference to a passage of the curated notes.</summary>
public sealed record Citation(int Number, string NoteId, string Title, string Section, string Source, string? Url = null);

/// <summary>The checklist question a <see cref="ReplyKind.Question"/> reply asks, so renderers can pick the right input.</summary>
public sealed record QuestionPrompt(
    string Key,
    int Number,
    int Position,
    int Remaining,
    string SectionTitle,
    string Prompt,
    QuestionType Type,
    IReadOnlyList<ChoiceOption> Options,
    string? Unit,
    string? CurrentAnswer);

/// <summary>
/// One reply to a person, in any channel. Renderers turn it into an Adaptive Card, Block Kit, JSON or
/// plain text; <see cref="Text"/> is always a complete plain-text rendering on its own.
/// </summary>
public sealed record BotReply
{
    public required ReplyKind Kind { get; init; }
    public required string Text { get; init; }
    public IReadOnlyList<ReplyChoice> Choices { get; init; } = [];
    public QuestionPrompt? Question { get; init; }
    public IReadOnlyList<Citation> Citations { get; init; } = [];
    /// <summary>A relative link (e.g. <c>/vendors/Acme</c>) to a page with more detail.</summary>
    public string? Link { get; init; }

    public static BotReply Info(string text, params ReplyChoice[] choices) =>
        new() { Kind = ReplyKind.Info, Text = text, Choices = choices };
}
