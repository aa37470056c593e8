using DueDiligenceBot.Core.Knowledge.Retrieval;

namespace DueDiligenceBot.Core.Knowledge;

/// <summary>
/// The notes by id, and questions answered from them: retrieval over the notes and the crosswalk, then the
/// offline answer (or, when a model is configured, a model-written answer checked against the same passages).
/// </summary>
public sealed class NotesKnowledgeBase : IKnowledgeBase
{
    private readonly KnowledgeFiles _files;
    private readonly Dictionary<string, Note> _byId;
    private readonly IAnswerWriter? _writer;

    public NotesKnowledgeBase(KnowledgeFiles files, IAnswerWriter? writer = null, RetrievalTuning? tuning = null, AbstentionPolicy? policy = null)
    {
        _files = files;
        _writer = writer;
        _byId = files.Notes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var analyzer = new TextAnalyzer(files.Synonyms);
        Retriever = new Retriever(new SectionIndex(files.Notes, analyzer, tuning), files.Crosswalk, policy);
        Composer = new AnswerComposer(Retriever.Index);
    }

    public IReadOnlyList<Note> Notes => _files.Notes;

    public Retriever Retriever { get; }

    public AnswerComposer Composer { get; }

    public Note? FindNote(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The offline path alone: retrieve, then compose or abstain. Synchronous and deterministic.</summary>
    public KnowledgeAnswer Answer(string question) => Composer.Compose(Retriever.Retrieve(question));

    public async Task<KnowledgeAnswer> AskAsync(string question, CancellationToken ct = default)
    {
        var retrieval = Retriever.Retrieve(question);
        var offline = Composer.Compose(retrieval);
        if (_writer is null || offline.Abstained) return offline;
        return await _writer.WriteAsync(question, Composer.Passages(retrieval), offline, ct);
    }
}

/// <summary>Writes an answer from retrieved passages (a language model); returns <c>fallback</c> when it cannot do so faithfully.</summary>
public interface IAnswerWriter
{
    Task<KnowledgeAnswer> WriteAsync(string question, IReadOnlyList<Passage> passages, KnowledgeAnswer fallback, CancellationToken ct);
}
