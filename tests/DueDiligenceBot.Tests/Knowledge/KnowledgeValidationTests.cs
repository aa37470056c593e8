using DueDiligenceBot.Core.Knowledge;
using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Knowledge;

/// <summary>The notes are the product's memory: they are checked like code.</summary>
public class KnowledgeValidationTests : IClassFixture<KnowledgeFixture>
{
    private const string GoodFrontMatter = """
        ---
        id: sample
        title: Sample
        frameworks: [soc2]
        sources:
          - title: AICPA
            url: https://www.aicpa-cima.com/
        reviewed: 2026-11-25
        ---

        ## A heading
        A sentence.
        """;

    private readonly KnowledgeFixture _fixture;

    public KnowledgeValidationTests(KnowledgeFixture fixture) => _fixture = fixture;

    [Fact]
    public void Every_note_has_front_matter_sources_and_a_reviewed_date()
    {
        Assert.NotEmpty(_fixture.Files.Notes);
        foreach (var note in _fixture.Files.Notes)
        {
            Assert.False(string.IsNullOrWhiteSpace(note.Title), note.Id);
            Assert.NotEmpty(note.Sources);
            Assert.All(note.Sources, s => Assert.StartsWith("https://", s.Url));
            Assert.True(note.Reviewed > new DateOnly(2020, 1, 1), $"{note.Id}: reviewed {note.Reviewed}");
            Assert.NotEmpty(note.Sections);
        }
    }

    [Fact]
    public void A_note_without_front_matter_is_rejected() =>
        Assert.Contains("front matter", Assert.Throws<InvalidDataException>(() => NoteLoader.Parse("## Heading\nText.", "sample.md")).Message);

    [Fact]
    public void A_note_without_a_source_is_rejected()
    {
        var text = GoodFrontMatter.Replace("sources:\n  - title: AICPA\n    url: https://www.aicpa-cima.com/\n", "");
        Assert.Contains("'sources'", Assert.Throws<InvalidDataException>(() => NoteLoader.Parse(text, "sample.md")).Message);
    }

    [Fact]
    public void A_note_without_a_reviewed_date_is_rejected()
    {
        var text = GoodFrontMatter.Replace("reviewed: 2026-11-25\n", "");
        Assert.Contains("'reviewed'", Assert.Throws<InvalidDataException>(() => NoteLoader.Parse(text, "sample.md")).Message);
    }

    [Fact]
    public void A_complete_note_loads() => Assert.Equal("Sample", NoteLoader.Parse(GoodFrontMatter, "sample.md").Title);

    [Fact]
    public void Every_crosswalk_criterion_and_citation_is_explained_by_a_note() =>
        Assert.Empty(_fixture.Files.UnexplainedCrosswalkIds());

    [Fact]
    public void Every_note_id_the_checklist_cites_exists()
    {
        var ids = _fixture.Files.Notes.Select(n => n.Id).ToHashSet();
        Assert.All(_fixture.Files.Checklist.Questions.SelectMany(q => q.Notes), id => Assert.Contains(id, ids));
    }

    [Fact]
    public void A_checklist_citing_an_unknown_note_fails_at_start()
    {
        using var folder = new TempFolder();
        CopyKnowledge(folder.Path);
        var checklist = Path.Combine(folder.Path, "checklist.yaml");
        var text = File.ReadAllText(checklist);
        var firstNotes = text.IndexOf("notes: [", StringComparison.Ordinal);
        Assert.True(firstNotes > 0, "the checklist cites notes");
        File.WriteAllText(checklist, text.Insert(firstNotes + "notes: [".Length, "no-such-note, "));
        var e = Assert.Throws<InvalidDataException>(() => new KnowledgeFiles(folder.Path));
        Assert.Contains("no-such-note", e.Message);
    }

    [Fact]
    public void A_crosswalk_row_naming_an_unexplained_criterion_is_reported()
    {
        using var folder = new TempFolder();
        CopyKnowledge(folder.Path);
        File.AppendAllText(Path.Combine(folder.Path, "crosswalk.csv"), "164.312(b),Audit controls,standard,CC9.9,\n");
        var files = new KnowledgeFiles(folder.Path);
        Assert.Contains(files.UnexplainedCrosswalkIds(), p => p.Contains("CC9.9"));
    }

    [Fact]
    public void Synonyms_file_loads_and_names_its_groups() =>
        Assert.Contains(_fixture.Files.Synonyms.Groups, g => g.Contains("bridge letter") && g.Contains("gap letter"));

    private static void CopyKnowledge(string to)
    {
        foreach (var file in Directory.EnumerateFiles(TestPaths.Knowledge, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(TestPaths.Knowledge, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
