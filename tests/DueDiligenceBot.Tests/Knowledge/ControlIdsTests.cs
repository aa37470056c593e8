using DueDiligenceBot.Core.Knowledge.Retrieval;

namespace DueDiligenceBot.Tests.Knowledge;

public class ControlIdsTests
{
    [Theory]
    [InlineData("164.312(b)", "164.312(b)")]
    [InlineData("§ 164.312(b)", "164.312(b)")]
    [InlineData("§§164.312(b)", "164.312(b)")]
    [InlineData("164.312 b", "164.312(b)")]
    [InlineData("164.312(e)(1)", "164.312(e)(1)")]
    [InlineData("164.312 e 1", "164.312(e)(1)")]
    [InlineData("45 CFR 164.308(a)(1)(ii)(A)", "164.308(a)(1)(ii)(A)")]
    [InlineData("164.308(a)(1)(ii)(a)", "164.308(a)(1)(ii)(A)")]
    [InlineData("CC6.1", "CC6.1")]
    [InlineData("cc 6.1", "CC6.1")]
    [InlineData("cc6.1", "CC6.1")]
    [InlineData("PI1.5", "PI1.5")]
    [InlineData("a1.2", "A1.2")]
    public void Control_ids_are_written_one_way_however_they_are_typed(string typed, string canonical)
    {
        var found = ControlIds.Find($"what about {typed} here?");
        Assert.Equal(canonical, Assert.Single(found).Id.Canonical);
    }

    [Fact]
    public void Space_separated_paragraphs_stop_at_the_first_ordinary_word()
    {
        var found = ControlIds.Find("164.308 a 1 required or addressable");
        Assert.Equal("164.308(a)(1)", Assert.Single(found).Id.Canonical);
    }

    [Theory]
    [InlineData("hitrust r2 vs i1 vs e1")]
    [InlineData("a 1 page letter")]
    [InlineData("version 2.1 of the tool")]
    public void Ordinary_text_holds_no_control_ids(string text) => Assert.Empty(ControlIds.Find(text));

    [Fact]
    public void A_parent_id_covers_its_children_but_not_its_siblings()
    {
        var parent = ControlIds.Parse("164.312(e)")!.Value;
        Assert.True(parent.Covers(ControlIds.Parse("164.312(e)(2)(ii)")!.Value));
        Assert.False(parent.Covers(ControlIds.Parse("164.312(b)")!.Value));
        Assert.True(ControlIds.Parse("CC6")!.Value.Covers(ControlIds.Parse("CC6.7")!.Value));
        Assert.False(ControlIds.Parse("CC6.1")!.Value.Covers(ControlIds.Parse("CC6.10")!.Value));
    }
}
