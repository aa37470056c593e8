using DueDiligenceBot.Core.Conversation;

namespace DueDiligenceBot.Core.Knowledge;

/// <summary>An answer from the curated notes, or an honest abstention with the closest topics.</summary>
public sealed record KnowledgeAnswer(
    string Text,
    bool Abstained,
    IReadOnlyList<Citation> Citations,
    IReadOnlyList<string> Suggestions);

/// <summary>The curated notes as the conversation engine sees them.</summary>
public interface IKnowledgeBase
{
    IReadOnlyList<Note> Notes { get; }

    Note? FindNote(string id);

    /// <summary>Answers a framework question from the notes (two to five sentences with citations) or abstains.</summary>
    Task<KnowledgeAnswer> AskAsync(string question, CancellationToken ct = default);
}
