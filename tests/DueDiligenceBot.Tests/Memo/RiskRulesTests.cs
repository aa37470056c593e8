using System.Text.Json;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Memo;

namespace DueDiligenceBot.Tests.Memo;

/// <summary>The boundaries and clauses of shared/spec/risk-rules.md, one by one.</summary>
public sealed class RiskRulesTests
{
    private static readonly DateOnly AsOf = new(2026, 11, 23);

    /// <summary>A clean PHI vendor: no flags, rating low. Each test changes what it is about.</summary>
    private static readonly Dictionary<string, object?> Clean = new()
    {
        ["handles_phi"] = true,
        ["soc2_report_type"] = "type2",
        ["soc2_period_months"] = 12,
        ["soc2_period_end"] = "2026-09-30",
        ["soc2_criteria"] = new[] { "security", "availability" },
        ["soc2_opinion"] = "unqualified",
        ["soc2_exceptions"] = "none",
        ["scope_exclusions"] = "none",
        ["subservice_method"] = "inclusive",
        ["subprocessors_with_soc2"] = "all",
        ["cuecs_reviewed"] = true,
        ["bridge_letter"] = true,
        ["hipaa_evidence"] = "risk_analysis",
        ["risk_analysis_date"] = "2026-06-01",
        ["risk_analysis_by"] = "third_party",
        ["baa_signed"] = true,
        ["baa_breach_notification_days"] = 30,
        ["baa_subcontractor_flowdown"] = true,
        ["baa_return_destruction"] = true,
        ["incident_response_plan"] = "documented_tested",
        ["hitrust"] = "none",
        ["mfa_all_production"] = true,
        ["encryption_at_rest"] = true,
        ["byod_access_to_prod"] = false,
        ["phishing_simulation"] = true,
        ["pen_test_last_12_months"] = true,
    };

    private static RiskAssessment Assess(Action<Dictionary<string, object?>>? change = null, RiskOptions? options = null, DateOnly? asOf = null)
    {
        var answers = new Dictionary<string, object?>(Clean);
        change?.Invoke(answers);
        return RiskRules.Evaluate(Answers(answers), asOf ?? AsOf, options ?? new RiskOptions());
    }

    internal static AnswerSet Answers(Dictionary<string, object?> values) =>
        new(values.Select(kv => new KeyValuePair<string, JsonElement>(kv.Key, JsonSerializer.SerializeToElement(kv.Value))));

    private static void Only(RiskAssessment a, params string[] flags) =>
        Assert.Equal(flags.Order(), a.FlagIds.Order());

    [Fact]
    public void A_clean_vendor_raises_no_flag_and_rates_low()
    {
        var a = Assess();
        Assert.Empty(a.Flags);
        Assert.Equal(Rating.Low, a.Rating);
        Assert.Empty(a.Open);
    }

    // ----- BAA breach notice: 45 CFR 164.410 sets 60 days as the outer limit ---------------------

    [Fact]
    public void Breach_notice_of_exactly_60_days_is_not_weak() =>
        Only(Assess(a => a["baa_breach_notification_days"] = 60));

    [Fact]
    public void Breach_notice_of_61_days_is_weak()
    {
        var a = Assess(x => x["baa_breach_notification_days"] = 61);
        Only(a, "baa_weak_breach_notice");
        Assert.Equal(Rating.High, a.Rating);
    }

    [Fact]
    public void Breach_notice_null_means_no_deadline_and_is_weak() =>
        Only(Assess(a => a["baa_breach_notification_days"] = null), "baa_weak_breach_notice");

    [Fact]
    public void Breach_notice_unanswered_raises_nothing_and_is_open()
    {
        var a = Assess(x => x.Remove("baa_breach_notification_days"));
        Only(a);
        Assert.Contains(new OpenKey("baa_breach_notification_days", OpenReason.Unanswered), a.Open);
    }

    // ----- "older than N months": the same day N calendar months before as_of ---------------------

    [Fact]
    public void Report_with_period_end_12_months_to_the_day_is_not_stale() =>
        Assert.DoesNotContain("stale_report", Assess(a => a["soc2_period_end"] = "2025-11-23").FlagIds);

    [Fact]
    public void Report_with_period_end_one_day_more_than_12_months_is_stale()
    {
        var a = Assess(x => x["soc2_period_end"] = "2025-11-22");
        Only(a, "stale_report");
        Assert.Equal(Rating.High, a.Rating);
    }

    [Fact]
    public void Bridge_letter_is_needed_only_after_more_than_3_months()
    {
        Only(Assess(a => { a["soc2_period_end"] = "2026-08-23"; a["bridge_letter"] = false; }));
        Only(Assess(a => { a["soc2_period_end"] = "2026-08-22"; a["bridge_letter"] = false; }), "missing_bridge_letter");
    }

    [Fact]
    public void Missing_bridge_letter_is_raised_with_a_stale_report_too() =>
        Only(Assess(a => { a["soc2_period_end"] = "2025-01-31"; a["bridge_letter"] = false; }), "stale_report", "missing_bridge_letter");

    [Fact]
    public void Unknown_bridge_letter_raises_no_flag_and_is_open()
    {
        var a = Assess(x => { x["soc2_period_end"] = "2026-05-31"; x["bridge_letter"] = null; });
        Only(a);
        Assert.Contains(new OpenKey("bridge_letter", OpenReason.Unknown), a.Open);
    }

    [Fact]
    public void Older_than_uses_calendar_months_at_the_end_of_a_month()
    {
        // 12 months before 2027-02-28 is 2026-02-28.
        Assert.False(RiskRules.IsOlderThan(new DateOnly(2026, 2, 28), new DateOnly(2027, 2, 28), 12));
        Assert.True(RiskRules.IsOlderThan(new DateOnly(2026, 2, 27), new DateOnly(2027, 2, 28), 12));
        Assert.Equal(new DateOnly(2026, 11, 24), RiskRules.FirstDayOlderThan(new DateOnly(2025, 11, 23), 12));
    }

    [Fact]
    public void Risk_analysis_12_months_to_the_day_is_not_stale_and_one_day_more_is()
    {
        Only(Assess(a => a["risk_analysis_date"] = "2025-11-23"));
        Only(Assess(a => a["risk_analysis_date"] = "2025-11-22"), "stale_risk_analysis");
    }

    // ----- short period ----------------------------------------------------------------------------

    [Fact]
    public void Type2_period_of_5_months_is_short_and_6_is_not()
    {
        Only(Assess(a => a["soc2_period_months"] = 5), "short_period");
        Only(Assess(a => a["soc2_period_months"] = 6));
    }

    [Fact]
    public void Type2_period_of_unknown_length_is_not_short_but_open()
    {
        var a = Assess(x => x["soc2_period_months"] = null);
        Only(a);
        Assert.Contains(new OpenKey("soc2_period_months", OpenReason.Unknown), a.Open);
    }

    [Fact]
    public void Policy_thresholds_come_from_the_options() =>
        Only(Assess(a => a["soc2_period_months"] = 6, new RiskOptions { ShortPeriodMonths = 9 }), "short_period");

    // ----- none-text ------------------------------------------------------------------------------

    [Theory]
    [InlineData("none")]
    [InlineData(" None ")]
    [InlineData("N/A")]
    [InlineData("na")]
    [InlineData("NA")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("null")]
    [InlineData(null)]
    public void None_text_exceptions_and_exclusions_raise_nothing(string? text) =>
        Only(Assess(a => { a["soc2_exceptions"] = text; a["scope_exclusions"] = text; }));

    [Theory]
    [InlineData("none noted except CC6.2")]
    [InlineData("n/a for production; staging excluded")]
    [InlineData("Mobile app")]
    public void Real_text_in_exceptions_and_exclusions_raises_both(string text) =>
        Only(Assess(a => { a["soc2_exceptions"] = text; a["scope_exclusions"] = text; }), "exceptions_noted", "scope_exclusions");

    [Fact]
    public void Unanswered_exceptions_raise_nothing_and_are_open()
    {
        var a = Assess(x => x.Remove("soc2_exceptions"));
        Only(a);
        Assert.Contains(new OpenKey("soc2_exceptions", OpenReason.Unanswered), a.Open);
    }

    // ----- null versus missing ---------------------------------------------------------------------

    [Fact]
    public void Unknown_mfa_is_not_no_mfa_and_is_listed_as_unknown()
    {
        var a = Assess(x => x["mfa_all_production"] = null);
        Only(a);
        Assert.Contains(new OpenKey("mfa_all_production", OpenReason.Unknown), a.Open);
    }

    [Fact]
    public void Unanswered_mfa_is_not_no_mfa_and_is_listed_as_unanswered()
    {
        var a = Assess(x => x.Remove("mfa_all_production"));
        Only(a);
        Assert.Contains(new OpenKey("mfa_all_production", OpenReason.Unanswered), a.Open);
    }

    [Fact]
    public void Unknown_assessor_counts_as_internal_risk_analysis() =>
        Only(Assess(a => a["risk_analysis_by"] = null), "internal_risk_analysis");

    [Fact]
    public void Unknown_hipaa_evidence_counts_as_stale_risk_analysis() =>
        Only(Assess(a => a["hipaa_evidence"] = null), "stale_risk_analysis");

    [Fact]
    public void Risk_analysis_with_unknown_date_is_stale_but_not_internal() =>
        Only(Assess(a => a["risk_analysis_date"] = null), "stale_risk_analysis");

    [Fact]
    public void Unanswered_risk_analysis_date_raises_nothing() =>
        Only(Assess(a => a.Remove("risk_analysis_date")));

    [Fact]
    public void Attestation_letter_is_attestation_only_and_stale_risk_analysis() =>
        Only(Assess(a => { a["hipaa_evidence"] = "attestation_letter"; a.Remove("risk_analysis_date"); a.Remove("risk_analysis_by"); }),
            "attestation_only", "stale_risk_analysis");

    [Fact]
    public void Unknown_subprocessor_coverage_answer_is_uncovered_but_null_is_not()
    {
        Only(Assess(a => a["subprocessors_with_soc2"] = "unknown"), "subprocessors_uncovered");
        Only(Assess(a => a["subprocessors_with_soc2"] = null));
    }

    [Fact]
    public void Security_only_scope_needs_exactly_the_one_element_list()
    {
        Only(Assess(a => a["soc2_criteria"] = new[] { "security" }), "security_only_scope");
        Only(Assess(a => a["soc2_criteria"] = new[] { "security", "privacy" }));
        Only(Assess(a => a["soc2_criteria"] = null));
    }

    // ----- PHI scoping ----------------------------------------------------------------------------

    [Fact]
    public void A_vendor_without_phi_needs_no_baa_and_gets_no_hipaa_flags()
    {
        var a = Assess(x =>
        {
            x["handles_phi"] = false;
            x["baa_signed"] = false;
            x["hipaa_evidence"] = "attestation_letter";
        });
        Only(a);
        Assert.Equal(Rating.Low, a.Rating);
    }

    [Fact]
    public void Baa_content_flags_apply_only_when_the_baa_is_signed() =>
        Only(Assess(a => { a["baa_signed"] = false; a["baa_subcontractor_flowdown"] = false; a["baa_return_destruction"] = false; a["baa_breach_notification_days"] = 90; }),
            "no_baa");

    [Fact]
    public void Unencrypted_data_is_critical_with_phi_and_high_without()
    {
        var phi = Assess(a => a["encryption_at_rest"] = false);
        Assert.Equal(FlagWeight.Critical, phi.Flags.Single().Weight);
        Assert.Equal(Rating.Critical, phi.Rating);
        var noPhi = Assess(a => { a["handles_phi"] = false; a["encryption_at_rest"] = false; });
        Assert.Equal(FlagWeight.High, noPhi.Flags.Single().Weight);
        Assert.Equal(Rating.High, noPhi.Rating);
    }

    [Fact]
    public void Unknown_phi_raises_no_hipaa_flag_but_keeps_the_hipaa_questions_open()
    {
        var a = Assess(x =>
        {
            x["handles_phi"] = null;
            foreach (var k in new[] { "hipaa_evidence", "risk_analysis_date", "risk_analysis_by", "baa_signed", "baa_breach_notification_days", "baa_subcontractor_flowdown", "baa_return_destruction" })
                x.Remove(k);
        });
        Only(a);
        Assert.Contains(new OpenKey("handles_phi", OpenReason.Unknown), a.Open);
        Assert.Contains(new OpenKey("baa_signed", OpenReason.Unanswered), a.Open);
        Assert.Contains(new OpenKey("hipaa_evidence", OpenReason.Unanswered), a.Open);
    }

    // ----- each rating clause -------------------------------------------------------------------

    [Fact]
    public void Rating_is_critical_without_a_baa_for_a_phi_vendor() =>
        Assert.Equal(Rating.Critical, Assess(a => a["baa_signed"] = false).Rating);

    [Fact]
    public void Rating_is_critical_for_a_phi_vendor_with_neither_soc2_nor_hitrust()
    {
        var a = Assess(x => { x["soc2_report_type"] = "none"; x["hitrust"] = "none"; });
        Only(a, "no_soc2");
        Assert.Equal(Rating.Critical, a.Rating);
    }

    [Theory]
    [InlineData("adverse")]
    [InlineData("disclaimer")]
    public void Rating_is_critical_for_an_adverse_opinion_or_a_disclaimer(string opinion)
    {
        var a = Assess(x => x["soc2_opinion"] = opinion);
        Only(a, "qualified_opinion");
        Assert.Equal(Rating.Critical, a.Rating);
    }

    [Fact]
    public void Rating_is_high_for_a_qualified_opinion() =>
        Assert.Equal(Rating.High, Assess(a => a["soc2_opinion"] = "qualified").Rating);

    [Fact]
    public void Rating_is_high_for_a_phi_vendor_on_type1_without_hitrust_r2_or_i1()
    {
        Assert.Equal(Rating.High, Assess(a => { a["soc2_report_type"] = "type1"; a.Remove("soc2_period_months"); }).Rating);
        Assert.Equal(Rating.High, Assess(a => { a["soc2_report_type"] = "type1"; a.Remove("soc2_period_months"); a["hitrust"] = "e1"; }).Rating);
        Assert.Equal(Rating.High, Assess(a => { a["soc2_report_type"] = "type1"; a.Remove("soc2_period_months"); a["hitrust"] = null; }).Rating);
    }

    [Theory]
    [InlineData("r2")]
    [InlineData("i1")]
    public void Hitrust_r2_or_i1_lowers_a_type1_phi_vendor_to_moderate(string hitrust)
    {
        var a = Assess(x => { x["soc2_report_type"] = "type1"; x.Remove("soc2_period_months"); x["hitrust"] = hitrust; });
        Only(a, "type1_only");
        Assert.Equal(Rating.Moderate, a.Rating);
    }

    [Fact]
    public void Hitrust_cancels_no_other_flag()
    {
        var a = Assess(x => { x["hitrust"] = "r2"; x["mfa_all_production"] = false; });
        Only(a, "no_mfa");
        Assert.Equal(Rating.High, a.Rating);
    }

    [Fact]
    public void Rating_is_high_without_soc2_and_with_hitrust_e1_or_none()
    {
        Assert.Equal(Rating.High, Assess(a => { a["handles_phi"] = false; a["soc2_report_type"] = "none"; a["hitrust"] = "none"; }).Rating);
        Assert.Equal(Rating.High, Assess(a => { a["soc2_report_type"] = "none"; a["hitrust"] = "e1"; }).Rating);
    }

    [Fact]
    public void Rating_is_moderate_without_soc2_but_with_hitrust_r2()
    {
        var a = Assess(x => { x["soc2_report_type"] = "none"; x["hitrust"] = "r2"; });
        Only(a, "no_soc2");
        Assert.Equal(Rating.Moderate, a.Rating);
    }

    [Fact]
    public void Three_moderate_flags_make_the_rating_high_and_two_moderate()
    {
        var two = Assess(a => { a["phishing_simulation"] = false; a["pen_test_last_12_months"] = false; });
        Assert.Equal(Rating.Moderate, two.Rating);
        var three = Assess(a => { a["phishing_simulation"] = false; a["pen_test_last_12_months"] = false; a["incident_response_plan"] = "documented"; });
        Assert.Equal(Rating.High, three.Rating);
        Assert.Equal(Rating.Moderate, Assess(a => { a["phishing_simulation"] = false; a["pen_test_last_12_months"] = false; a["incident_response_plan"] = "documented"; },
            new RiskOptions { ModerateFlagsForHigh = 4 }).Rating);
    }

    [Fact]
    public void Informational_flags_alone_leave_the_rating_low()
    {
        var a = Assess(x => { x["soc2_criteria"] = new[] { "security" }; x["subservice_method"] = "carve-out"; x["cuecs_reviewed"] = false; });
        Only(a, "security_only_scope", "carve_out_subservice", "cuecs_not_reviewed");
        Assert.Equal(Rating.Low, a.Rating);
    }

    [Fact]
    public void Each_high_flag_on_its_own_makes_the_rating_high()
    {
        Assert.Equal(Rating.High, Assess(a => a["incident_response_plan"] = "none").Rating);
        Assert.Equal(Rating.High, Assess(a => a["byod_access_to_prod"] = true).Rating);
        Assert.Equal(Rating.High, Assess(a => a["baa_subcontractor_flowdown"] = false).Rating);
    }

    [Fact]
    public void Every_flag_of_the_spec_is_in_the_catalog_once()
    {
        string[] spec =
        [
            "type1_only", "no_soc2", "short_period", "stale_report", "missing_bridge_letter", "security_only_scope", "qualified_opinion",
            "exceptions_noted", "scope_exclusions", "carve_out_subservice", "subprocessors_uncovered", "cuecs_not_reviewed", "attestation_only",
            "stale_risk_analysis", "internal_risk_analysis", "no_baa", "baa_weak_breach_notice", "baa_no_flowdown", "baa_no_return_destruction",
            "no_ir_plan", "ir_untested", "no_mfa", "no_encryption_at_rest", "byod_gap", "human_factor_gap", "no_pentest",
        ];
        Assert.Equal(spec, FlagCatalog.All.Select(f => f.Id));
    }
}
