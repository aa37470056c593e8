namespace DueDiligenceBot.Core.Knowledge;

/// <summary>The notes by id. Answering questions arrives with the retrieval component.</summary>
public sealed class NotesKnowledgeBase(KnowledgeFiles files) : IKnowledgeBase
{
    private readonly Dictionary<string, Note> _byId = files.Notes.ToDictionary(n => n.Id, StringComparer.Ordinal);

    public IReadOnlyList<Note> Notes => files.Notes;

    public Note? FindNote(string id) => _byId.GetValueOrDefault(id);

    public Task<KnowledgeAnswer> AskAsync(string question, CancellationToken ct = default) =>
        Task.FromResult(new KnowledgeAnswer(
            "I can't answer framework questions yet: the retrieval over our notes is still being built. Your review is unaffected.",
            Abstained: true, [], []));
}
