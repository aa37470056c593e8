using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Knowledge.Retrieval;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Core.Knowledge;

/// <summary>The checklist and the notes, loaded and validated once at start.</summary>
public sealed class KnowledgeFiles
{
    public KnowledgeFiles(IOptions<KnowledgeOptions> options, ILogger<KnowledgeFiles> logger)
        : this(KnowledgeOptions.Locate(options.Value.Path, "knowledge", "checklist.yaml"))
    {
        Log.KnowledgeLoaded(logger, Notes.Count, Notes.Sum(n => n.Sections.Count), Checklist.Questions.Count);
    }

    public KnowledgeFiles(string folder)
    {
        Folder = folder;
        Checklist = ChecklistLoader.Load(Path.Combine(folder, "checklist.yaml"));
        Notes = NoteLoader.LoadFolder(Path.Combine(folder, "notes"));
        var ids = Notes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var missing = Checklist.Questions.SelectMany(q => q.Notes.Where(id => !ids.Contains(id)).Select(id => $"question '{q.Key}' cites note '{id}'")).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException("checklist.yaml cites notes that do not exist:\n- " + string.Join("\n- ", missing));
        Crosswalk = Crosswalk.Load(Path.Combine(folder, "crosswalk.csv"));
        Synonyms = Synonyms.Load(Path.Combine(folder, "synonyms.yaml"));
    }

    public string Folder { get; }
    public ChecklistDefinition Checklist { get; }
    public IReadOnlyList<Note> Notes { get; }
    public Crosswalk Crosswalk { get; }
    public Synonyms Synonyms { get; }

    /// <summary>
    /// Crosswalk ids that no note explains: every HIPAA citation and SOC 2 criterion in the crosswalk must be
    /// listed in some note's <c>controls</c>, so a crosswalk answer can always cite a note that explains it.
    /// </summary>
    public IReadOnlyList<string> UnexplainedCrosswalkIds()
    {
        var explained = Notes.SelectMany(n => n.Controls).Select(ControlIds.Parse).OfType<ControlId>()
            .Select(c => c.Canonical).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return Crosswalk.Rows
            .SelectMany(r => r.Criteria.Select(c => (Id: c.Canonical, r.Line)).Prepend((Id: r.Hipaa.Canonical, r.Line)))
            .Where(x => !explained.Contains(x.Id))
            .Select(x => $"crosswalk.csv line {x.Line}: {x.Id} is in no note's controls")
            .Distinct()
            .ToList();
    }
}
