using DueDiligenceBot.Core.Knowledge;
using DueDiligenceBot.Core.Knowledge.Retrieval;
using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Knowledge;

/// <summary>The retriever and answer composer over the real notes, as engineers type in Slack.</summary>
public class RetrieverTests : IClassFixture<KnowledgeFixture>
{
    private readonly NotesKnowledgeBase _kb;

    public RetrieverTests(KnowledgeFixture fixture) => _kb = fixture.KnowledgeBase;

    private string TopNote(string question) => _kb.Retriever.Retrieve(question).Hits[0].Section.Note.Id;

    [Fact]
    public void Retriever_finds_bridge_letter_when_misspelt() =>
        Assert.Equal("soc2-bridge-letters", TopNote("who signs a soc 2 bridge lettr"));

    [Fact]
    public void Retriever_finds_bridge_letter_by_its_synonym_gap_letter() =>
        Assert.Equal("soc2-bridge-letters", TopNote("what goes in a gap letter"));

    [Fact]
    public void Retriever_expands_acronyms_both_ways()
    {
        Assert.Equal("soc2-cuecs", TopNote("wats a cuec"));
        Assert.Equal("soc2-cuecs", TopNote("what are complementary user entity controls"));
    }

    [Fact]
    public void Retriever_treats_type_one_and_type_i_alike() =>
        Assert.Equal("soc2-type1-vs-type2", TopNote("soc 2 type one vs two"));

    [Fact]
    public void Retriever_boosts_the_note_whose_controls_list_the_id() =>
        Assert.Equal("hipaa-164-312-b-audit-controls", TopNote("§ 164.312 b?"));

    [Fact]
    public void Crosswalk_lookup_maps_a_hipaa_citation_to_its_criteria()
    {
        var answer = _kb.Answer("164.312(e) maps to which TSC?");
        Assert.False(answer.Abstained);
        Assert.Contains("164.312(e)(1) Transmission security", answer.Text);
        Assert.Contains("CC6.7", answer.Text);
        Assert.Contains(answer.Citations, c => c.NoteId == "crosswalk-overview");
        Assert.Contains(answer.Citations, c => c.NoteId == "hipaa-164-312-e1-transmission-security");
    }

    [Fact]
    public void Crosswalk_lookup_maps_a_criterion_back_to_hipaa_standards()
    {
        var answer = _kb.Answer("which hipaa standards does cc6.1 cover");
        Assert.False(answer.Abstained);
        Assert.StartsWith("Under our crosswalk, CC6.1 is mapped from", answer.Text);
        Assert.Contains("164.312(a)(1) Access control", answer.Text);
    }

    [Fact]
    public void Answer_is_a_few_sentences_with_numbered_citations()
    {
        var answer = _kb.Answer("soc 2 bridge letter who signs it");
        Assert.False(answer.Abstained);
        var sentences = SentenceSplitter.Split(answer.Text);
        Assert.InRange(sentences.Count, 2, 5);
        Assert.NotEmpty(answer.Citations);
        foreach (var c in answer.Citations)
        {
            Assert.Contains($"[{c.Number}]", answer.Text);
            Assert.False(string.IsNullOrEmpty(c.Source));
            Assert.NotNull(_kb.FindNote(c.NoteId));
        }
    }

    [Theory]
    [InlineData("whats the weather in boston tmrw")]
    [InlineData("what is the pci dss requirement for encryption of cardholder data")]
    [InlineData("kubectl command to restart a deployment?")]
    public void Out_of_scope_questions_get_not_in_my_notes_without_citations(string question)
    {
        var answer = _kb.Answer(question);
        Assert.True(answer.Abstained);
        Assert.Empty(answer.Citations);
        Assert.Contains("not in my notes", answer.Text);
        Assert.InRange(answer.Suggestions.Count, 2, 3);
    }

    [Fact]
    public void Retrieval_is_deterministic()
    {
        var a = _kb.Answer("is mfa required by hipaa");
        var b = _kb.Answer("is mfa required by hipaa");
        Assert.Equal(a, b with { Citations = a.Citations, Suggestions = a.Suggestions });
        Assert.Equal(a.Citations, b.Citations);
    }
}

/// <summary>The real knowledge folder, loaded once for a test class.</summary>
public sealed class KnowledgeFixture
{
    public KnowledgeFiles Files { get; } = new(TestPaths.Knowledge);
    public NotesKnowledgeBase KnowledgeBase { get; }

    public KnowledgeFixture() => KnowledgeBase = new NotesKnowledgeBase(Files);
}
