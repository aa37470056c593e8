using System.Text.Json;
using DueDiligenceBot.Cli;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Memo;
using DueDiligenceBot.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DueDiligenceBot.Tests.Memo;

/// <summary>
/// Ten vendors of our own, as import files under Fixtures/, each with the flags and rating the spec
/// implies (as of 2026-11-23). Checked through the rules engine and through <c>assess --format json</c>.
/// </summary>
public sealed class VendorFixtureTests
{
    public sealed record Expected(string Fixture, string Rating, string[] Flags);

    public static readonly Expected[] All =
    [
        // LastPass-like: a clean report, but engineers reach production from home computers.
        new("lastpass-like-byod", "high", ["carve_out_subservice", "byod_gap"]),
        // Okta-like: the support contractor sits outside the report and outside the BAA's flow-down.
        new("okta-like-subprocessors", "high", ["scope_exclusions", "carve_out_subservice", "subprocessors_uncovered", "baa_no_flowdown"]),
        // Twilio-like: everything in order except that nobody tests staff against phishing.
        new("twilio-like-human-factor", "moderate", ["human_factor_gap"]),
        // A clean HITRUST r2 vendor: nothing to flag.
        new("clean-hitrust-r2", "low", []),
        // A Type I start-up: high through the Type I clause and through its moderate flags.
        new("type1-startup", "high", ["type1_only", "missing_bridge_letter", "security_only_scope", "carve_out_subservice", "subprocessors_uncovered",
            "cuecs_not_reviewed", "internal_risk_analysis", "ir_untested", "human_factor_gap", "no_pentest"]),
        // The period ended 14 months ago and nothing covers the gap.
        new("stale-report-no-bridge", "high", ["stale_report", "missing_bridge_letter", "exceptions_noted", "carve_out_subservice",
            "stale_risk_analysis", "baa_no_return_destruction"]),
        // Only a "we are HIPAA compliant" letter; HITRUST e1 does not stand in for SOC 2.
        new("attestation-letter-only", "high", ["no_soc2", "subprocessors_uncovered", "attestation_only", "stale_risk_analysis",
            "baa_weak_breach_notice", "ir_untested", "no_pentest"]),
        // No PHI: no BAA needed, and unencrypted data is high, not critical.
        new("no-phi-vendor", "high", ["security_only_scope", "carve_out_subservice", "no_encryption_at_rest"]),
        // PHI with no BAA, no SOC 2 and no HITRUST.
        new("phi-without-baa", "critical", ["no_soc2", "subprocessors_uncovered", "stale_risk_analysis", "no_baa", "no_ir_plan", "no_mfa"]),
        // A qualified opinion, and several answers "unknown": unknowns raise only what the spec says they raise.
        new("qualified-opinion-unknowns", "high", ["qualified_opinion", "exceptions_noted", "stale_risk_analysis"]),
    ];

    public static TheoryData<string> Names() => new(All.Select(e => e.Fixture));

    public static string PathOf(string fixture) =>
        Path.Combine(TestPaths.RepoRoot, "tests", "DueDiligenceBot.Tests", "Memo", "Fixtures", fixture + ".json");

    private static Expected Expect(string fixture) => All.Single(e => e.Fixture == fixture);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Rules_engine_gives_the_expected_flags_and_rating(string fixture)
    {
        await using var bot = await BotHarness.StartAsync();
        var checklist = bot.Services.GetRequiredService<ChecklistDefinition>();
        var parsed = Assert.IsType<ImportResult.Accepted>(AnswerImport.Parse(await File.ReadAllTextAsync(PathOf(fixture)), checklist));
        var a = RiskRules.Evaluate(parsed.Answers, parsed.AsOf!.Value, new RiskOptions());
        var expected = Expect(fixture);
        Assert.Equal(expected.Flags.Order(), a.FlagIds.Order());
        Assert.Equal(expected.Rating, a.Rating.Id());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Assess_json_gives_the_expected_flags_and_rating(string fixture)
    {
        var stdout = new StringWriter();
        var code = await CliVerbs.RunAsync(["assess", PathOf(fixture), "--format", "json"], TextReader.Null, stdout);
        Assert.Equal(CliVerbs.Ok, code);
        using var json = JsonDocument.Parse(stdout.ToString());
        var root = json.RootElement;
        var expected = Expect(fixture);
        Assert.Equal(expected.Rating, root.GetProperty("rating").GetString());
        Assert.Equal("2026-11-23", root.GetProperty("asOf").GetString());
        var flags = root.GetProperty("flags").EnumerateArray().ToList();
        Assert.Equal(expected.Flags.Order(), flags.Select(f => f.GetProperty("id").GetString()!).Order());
        foreach (var f in flags)
        {
            Assert.Contains(f.GetProperty("severity").GetString(), new[] { "informational", "moderate", "high", "critical" });
            Assert.False(string.IsNullOrWhiteSpace(f.GetProperty("title").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(f.GetProperty("followUp").GetString()));
            Assert.NotEmpty(f.GetProperty("evidence").EnumerateArray());
            Assert.NotEmpty(f.GetProperty("citations").EnumerateArray());
        }
        Assert.StartsWith("# Risk memo: ", root.GetProperty("markdown").GetString());
    }

    [Fact]
    public async Task Assess_markdown_writes_the_memo_alone_to_standard_output()
    {
        var stdout = new StringWriter();
        var code = await CliVerbs.RunAsync(["assess", PathOf("okta-like-subprocessors"), "--as-of", "2026-11-30"], TextReader.Null, stdout);
        Assert.Equal(CliVerbs.Ok, code);
        var md = stdout.ToString();
        Assert.StartsWith("# Risk memo: Keystone Identity", md);
        Assert.Contains("As of 2026-11-30", md);
        Assert.Contains("**Rating: HIGH.**", md);
    }

    [Fact]
    public async Task Assess_rejects_a_bad_file_whole_naming_each_bad_key()
    {
        using var folder = new TempFolder();
        var file = folder.File("bad.json");
        await File.WriteAllTextAsync(file, """
            {"vendor": "Acme", "answers": {
              "handles_phi": "yes",
              "soc2_report_type": "type3",
              "soc2_period_months": 2.5,
              "soc2_criteria": ["security", "uptime"],
              "soc2_period_end": "30/06/2026",
              "made_up_key": true,
              "mfa_all_production": true
            }}
            """);
        await using var bot = await BotHarness.StartAsync();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await AssessVerb.RunAsync(bot.Services, [file, "--format", "json"], stdout, stderr, CancellationToken.None);
        Assert.Equal(CliVerbs.BadInput, code);
        Assert.Equal("", stdout.ToString());
        var errors = stderr.ToString();
        Assert.Contains("'handles_phi' must be true, false or null", errors);
        Assert.Contains("'soc2_report_type' is \"type3\"; accepted: none, type1, type2", errors);
        Assert.Contains("'soc2_period_months'", errors);
        Assert.Contains("'soc2_criteria' has \"uptime\"; accepted values: security, availability, processing_integrity, confidentiality, privacy", errors);
        Assert.Contains("'soc2_period_end' is \"30/06/2026\"", errors);
        Assert.Contains("'made_up_key' is not an answer key", errors);
        Assert.DoesNotContain("mfa_all_production", errors);
        Assert.Contains("rejected (6 problems)", errors);
    }

    [Theory]
    [InlineData("--format", "xml")]
    [InlineData("--as-of", "23/11/2026")]
    [InlineData("--bogus", "x")]
    public async Task Assess_rejects_bad_options_with_exit_code_2(string option, string value)
    {
        await using var bot = await BotHarness.StartAsync();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await AssessVerb.RunAsync(bot.Services, [PathOf("clean-hitrust-r2"), option, value], stdout, stderr, CancellationToken.None);
        Assert.Equal(CliVerbs.BadInput, code);
        Assert.Equal("", stdout.ToString());
        Assert.NotEqual("", stderr.ToString());
    }

    [Fact]
    public async Task Assess_reports_a_missing_file()
    {
        await using var bot = await BotHarness.StartAsync();
        var stderr = new StringWriter();
        var code = await AssessVerb.RunAsync(bot.Services, ["/nonexistent/answers.json"], new StringWriter(), stderr, CancellationToken.None);
        Assert.Equal(CliVerbs.BadInput, code);
        Assert.Contains("no such file", stderr.ToString());
    }

    [Fact]
    public async Task The_checklist_asks_every_contract_key_with_the_contract_values()
    {
        await using var bot = await BotHarness.StartAsync();
        var checklist = bot.Services.GetRequiredService<ChecklistDefinition>();
        foreach (var (key, _) in RiskRules.ContractKeys)
            Assert.True(checklist.Find(key) is not null, $"the checklist lacks '{key}'");
        Assert.Equal(["none", "type1", "type2"], checklist.Find("soc2_report_type")!.Options.Select(o => o.Value));
        Assert.Equal(["all", "some", "none", "unknown"], checklist.Find("subprocessors_with_soc2")!.Options.Select(o => o.Value));
        Assert.Equal(["r2", "i1", "e1", "none"], checklist.Find("hitrust")!.Options.Select(o => o.Value));
    }

    [Fact]
    public async Task Every_note_a_flag_cites_exists()
    {
        await using var bot = await BotHarness.StartAsync();
        var kb = bot.Services.GetRequiredService<DueDiligenceBot.Core.Knowledge.IKnowledgeBase>();
        var missing = FlagCatalog.All.SelectMany(f => f.Citations).Where(c => c.Kind == CitationKind.Note && kb.FindNote(c.Id) is null)
            .Select(c => c.Id).Distinct().ToList();
        Assert.Empty(missing);
    }
}
