using DueDiligenceBot.Core.Checklist;
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
    }

    public string Folder { get; }
    public ChecklistDefinition Checklist { get; }
    public IReadOnlyList<Note> Notes { get; }
}
