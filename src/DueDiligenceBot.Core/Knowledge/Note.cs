namespace DueDiligenceBot.Core.Knowledge;

public sealed record NoteSource(string Title, string Url);

/// <summary>A <c>##</c> section of a note: the unit of retrieval and of citation.</summary>
public sealed record NoteSection(string NoteId, int Index, string Heading, string Text);

/// <summary>One curated note from <c>knowledge/notes</c>.</summary>
public sealed record Note(
    string Id,
    string Title,
    IReadOnlyList<string> Frameworks,
    IReadOnlyList<string> Controls,
    IReadOnlyList<NoteSource> Sources,
    DateOnly Reviewed,
    IReadOnlyList<NoteSection> Sections,
    string Path);
