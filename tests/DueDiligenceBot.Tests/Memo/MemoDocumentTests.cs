using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Memo;
using DueDiligenceBot.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DueDiligenceBot.Tests.Memo;

public sealed class MemoDocumentTests
{
    private static readonly DateOnly AsOf = new(2026, 11, 23);

    private static async Task<(BotHarness Bot, MemoDocument Memo)> FixtureMemoAsync(string fixture, Action<IServiceCollection>? configure = null)
    {
        var bot = await BotHarness.StartAsync(configure: configure);
        var checklist = bot.Services.GetRequiredService<ChecklistDefinition>();
        var parsed = (ImportResult.Accepted)AnswerImport.Parse(await File.ReadAllTextAsync(VendorFixtureTests.PathOf(fixture)), checklist);
        var memos = bot.Services.GetRequiredService<ReviewMemoService>();
        return (bot, await memos.AssessAsync(parsed.Vendor, AsOf, parsed.Answers, fixture + ".json", CancellationToken.None));
    }

    private static MemoDocument Build(BotHarness bot, string vendor, params (string Key, object? Value, string By)[] answers)
    {
        var builder = bot.Services.GetRequiredService<ReviewMemoService>().Builder;
        var at = new DateTimeOffset(2026, 11, 20, 14, 5, 0, TimeSpan.Zero);
        var input = new MemoInput(vendor, AsOf, 1, "complete",
            answers.Select(a => new ProvenancedAnswer(a.Key, JsonSerializer.SerializeToElement(a.Value), false, a.By, "teams", at)).ToList());
        return builder.Build(input).Memo;
    }

    [Fact]
    public async Task Findings_show_the_answer_who_gave_it_and_when()
    {
        await using var bot = await BotHarness.StartAsync();
        var memo = Build(bot, "Acme", ("handles_phi", true, "Dana"), ("baa_signed", false, "Lee"));
        var finding = memo.AllFindings.Single(f => f.Id == "no_baa");
        Assert.Equal(FlagWeight.Critical, finding.Severity);
        var evidence = finding.Evidence.Single(e => e.Key == "baa_signed");
        Assert.Equal("no", evidence.Answer);
        Assert.Equal("Lee", evidence.By);
        Assert.Equal("teams", evidence.Channel);
        Assert.Equal("2026-11-20 14:05 UTC", evidence.At);
        Assert.Contains(finding.Citations, c => c.Id == "hipaa-baa-required-content" && c.Kind == CitationKind.Note);
        Assert.Contains(finding.Citations, c => c.Id == "45 CFR 164.504(e)" && c.Url == "https://www.ecfr.gov/current/title-45/section-164.504");
        Assert.StartsWith("Do not approve yet", memo.Recommendation);
        Assert.Equal(StructuralGap.Contract, memo.Findings.Single().Gap);
    }

    [Fact]
    public async Task Findings_are_grouped_by_structural_gap_most_severe_first()
    {
        var (bot, memo) = await FixtureMemoAsync("type1-startup");
        await using var _ = bot;
        Assert.Equal(StructuralGap.ScopeElection, memo.Findings[0].Gap);
        Assert.Contains(memo.Findings, g => g.Gap == StructuralGap.HumanFactor && g.Findings.Single().Id == "human_factor_gap");
        Assert.Contains(memo.Findings, g => g.Gap == StructuralGap.TimeGap && g.Note?.Id == "gap-time");
    }

    [Fact]
    public async Task Crosswalk_without_availability_leaves_the_backup_plan_without_evidence()
    {
        var (bot, memo) = await FixtureMemoAsync("type1-startup"); // criteria: security only
        await using var _ = bot;
        Assert.True(memo.Crosswalk.Applies);
        Assert.Equal(["security"], memo.Crosswalk.CategoriesInScope);
        var backup = Assert.Single(memo.Crosswalk.NotEvidenced, l => l.Citation == "164.308(a)(7)(ii)(A)");
        Assert.Contains("A1.2", backup.Missing);
        Assert.Contains(memo.Crosswalk.PartlyEvidenced, l => l.Citation == "164.308(a)(7)(i)");
        Assert.Contains("Availability", memo.Crosswalk.Summary);
        Assert.Contains("Type I report evidences the design", memo.Crosswalk.Summary);
    }

    [Fact]
    public async Task Crosswalk_with_availability_evidences_the_contingency_plan()
    {
        var (bot, memo) = await FixtureMemoAsync("clean-hitrust-r2");
        await using var _ = bot;
        Assert.DoesNotContain(memo.Crosswalk.NotEvidenced, l => l.Citation.StartsWith("164.308(a)(7)", StringComparison.Ordinal));
        Assert.DoesNotContain(memo.Crosswalk.PartlyEvidenced, l => l.Citation.StartsWith("164.308(a)(7)", StringComparison.Ordinal));
        Assert.Contains(memo.Crosswalk.HipaaOnly, l => l.Citation == "164.308(a)(4)(ii)(A)");
    }

    [Fact]
    public async Task Crosswalk_does_not_apply_to_a_vendor_without_phi()
    {
        var (bot, memo) = await FixtureMemoAsync("no-phi-vendor");
        await using var _ = bot;
        Assert.False(memo.Crosswalk.Applies);
        Assert.Contains("no PHI", memo.Crosswalk.Summary);
    }

    [Fact]
    public async Task Dates_to_act_on_follow_the_policy_thresholds()
    {
        var (bot, memo) = await FixtureMemoAsync("clean-hitrust-r2"); // period end 2026-09-30, RA 2026-05-01, r2 expiry 2027-08-31
        await using var _ = bot;
        Assert.Contains(memo.Dates, d => d.What == "SOC 2 report becomes stale" && d.Date == new DateOnly(2027, 10, 1) && d.Status == DueStatus.Later);
        Assert.Contains(memo.Dates, d => d.What == "Bridge letter needed" && d.Date == new DateOnly(2027, 1, 1) && d.Status == DueStatus.DueSoon);
        Assert.Contains(memo.Dates, d => d.What == "HIPAA risk analysis due for refresh" && d.Date == new DateOnly(2027, 5, 2));
        Assert.Contains(memo.Dates, d => d.What == "HITRUST r2 certification expires" && d.Date == new DateOnly(2027, 8, 31));
        Assert.Contains(memo.Dates, d => d.What == "HITRUST r2 interim assessment due" && d.Date == new DateOnly(2026, 8, 31) && d.Status == DueStatus.Overdue);
        Assert.Equal(memo.Dates.OrderBy(d => d.Date), memo.Dates);
    }

    [Fact]
    public async Task Open_items_list_unknown_answers_with_who_said_so()
    {
        var (bot, memo) = await FixtureMemoAsync("qualified-opinion-unknowns");
        await using var _ = bot;
        Assert.Contains(memo.Open, o => o.Key == "mfa_all_production" && o.Status == "unknown");
        Assert.Contains(memo.Open, o => o.Key == "soc2_period_months" && o.Status == "unknown");
        Assert.Contains(memo.Open, o => o.Key == "bridge_letter" && o.Status == "unknown");
        Assert.DoesNotContain(memo.Open, o => o.Key == "background_checks"); // an import is judged on the contract keys
        Assert.Contains("multi-factor authentication", memo.FollowUpMessage);
    }

    [Fact]
    public async Task Follow_up_message_asks_the_vendor_and_leaves_our_own_actions_out()
    {
        var (bot, memo) = await FixtureMemoAsync("type1-startup");
        await using var _ = bot;
        Assert.StartsWith("Subject: Pulsewise security review: follow-up questions", memo.FollowUpMessage);
        Assert.Contains("SOC 2 Type II report", memo.FollowUpMessage);
        Assert.Contains("phishing simulations", memo.FollowUpMessage);
        Assert.DoesNotContain("complementary user entity controls", memo.FollowUpMessage); // cuecs_not_reviewed is ours to do
        Assert.Contains(memo.AllFindings, f => f.Id == "cuecs_not_reviewed" && f.Audience == FollowUpAudience.Internal);
    }

    [Fact]
    public async Task A_clean_vendor_is_approved_and_gets_a_thank_you()
    {
        var (bot, memo) = await FixtureMemoAsync("clean-hitrust-r2");
        await using var _ = bot;
        Assert.Equal(Rating.Low, memo.Rating);
        Assert.StartsWith("Approve: ", memo.Recommendation);
        Assert.Contains("no further questions", memo.FollowUpMessage);
        Assert.Contains("no flags", memo.Summary);
    }

    [Fact]
    public async Task Html_escapes_everything_a_vendor_or_user_typed()
    {
        await using var bot = await BotHarness.StartAsync();
        var memo = Build(bot, "<script>alert(1)</script>",
            ("handles_phi", false, "<b>Mallory</b>"),
            ("soc2_report_type", "type2", "Dana"),
            ("soc2_exceptions", "<img src=x onerror=alert(2)>", "Dana"),
            ("service_description", "\"quoted\" & <i>styled</i>", "Dana"));
        var html = MemoHtml.Page(memo);
        Assert.DoesNotContain("<script>alert(1)", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.DoesNotContain("<b>Mallory", html);
        Assert.DoesNotContain("<i>styled", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt;", html);
    }

    [Fact]
    public async Task Docx_opens_with_headings_tables_and_the_rating()
    {
        var (bot, memo) = await FixtureMemoAsync("stale-report-no-bridge");
        await using var _ = bot;
        var bytes = MemoDocx.Render(memo);
        using var doc = WordprocessingDocument.Open(new MemoryStream(bytes), false);
        var body = doc.MainDocumentPart!.Document!.Body!;
        var headings = body.Elements<Paragraph>().Where(p => p.ParagraphProperties?.ParagraphStyleId?.Val?.Value?.StartsWith("Heading") == true)
            .Select(p => p.InnerText).ToList();
        Assert.Equal("Risk memo: Archway Billing", headings[0]);
        Assert.Contains("Findings by structural gap", headings);
        Assert.Contains("Crosswalk: HIPAA Security Rule standards the SOC 2 scope evidences", headings);
        Assert.Contains("Appendix: every answer and its provenance", headings);
        Assert.True(body.Elements<Table>().Count() >= 5);
        Assert.Contains("Rating: HIGH", body.InnerText);
        Assert.Contains("SOC 2 report is stale", body.InnerText);
    }

    [Fact]
    public async Task The_stored_document_reads_back_the_same()
    {
        var (bot, memo) = await FixtureMemoAsync("okta-like-subprocessors");
        await using var _ = bot;
        var back = MemoJson.Deserialize(MemoJson.Serialize(memo));
        Assert.Equal(MemoMarkdown.Render(memo), MemoMarkdown.Render(back));
        Assert.Equal(MemoHtml.Fragment(memo), MemoHtml.Fragment(back));
    }
}
