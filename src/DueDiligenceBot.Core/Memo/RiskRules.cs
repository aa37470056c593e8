using System.Text.Json;
using DueDiligenceBot.Core.Checklist;

namespace DueDiligenceBot.Core.Memo;

/// <summary>
/// The flags and the rating of shared/spec/risk-rules.md, as a pure function of the answers, the
/// as-of date and the policy thresholds. No model, no I/O: a reviewer can check every flag by hand.
/// </summary>
public static class RiskRules
{
    /// <summary>The answer keys of shared/spec/checklist-keys.md with the condition under which each is asked.</summary>
    public static IReadOnlyList<(string Key, Func<AnswerSet, bool> Asked)> ContractKeys { get; } =
    [
        ("handles_phi", Always),
        ("soc2_report_type", Always),
        ("soc2_period_months", a => Eq(a, "soc2_report_type", "type2")),
        ("soc2_period_end", Soc2Present),
        ("soc2_criteria", Soc2Present),
        ("soc2_opinion", Soc2Present),
        ("soc2_exceptions", Soc2Present),
        ("scope_exclusions", Soc2Present),
        ("subservice_method", Soc2Present),
        ("subprocessors_with_soc2", Always),
        ("cuecs_reviewed", Soc2Present),
        ("bridge_letter", Soc2Present),
        // The checklist asks the HIPAA questions unless PHI is ruled out ("handles_phi != false").
        ("hipaa_evidence", a => Ne(a, "handles_phi", false)),
        ("risk_analysis_date", a => Ne(a, "handles_phi", false) && Eq(a, "hipaa_evidence", "risk_analysis")),
        ("risk_analysis_by", a => Ne(a, "handles_phi", false) && Eq(a, "hipaa_evidence", "risk_analysis")),
        ("baa_signed", a => Ne(a, "handles_phi", false)),
        ("baa_breach_notification_days", a => Ne(a, "handles_phi", false) && Eq(a, "baa_signed", true)),
        ("baa_subcontractor_flowdown", a => Ne(a, "handles_phi", false) && Eq(a, "baa_signed", true)),
        ("baa_return_destruction", a => Ne(a, "handles_phi", false) && Eq(a, "baa_signed", true)),
        ("incident_response_plan", Always),
        ("hitrust", Always),
        ("mfa_all_production", Always),
        ("encryption_at_rest", Always),
        ("byod_access_to_prod", Always),
        ("phishing_simulation", Always),
        ("pen_test_last_12_months", Always),
    ];

    public static RiskAssessment Evaluate(AnswerSet a, DateOnly asOf, RiskOptions options)
    {
        var flags = new List<RaisedFlag>();
        var phi = Eq(a, "handles_phi", true);
        var soc2 = Soc2Present(a);

        void Raise(string id, bool when, params string[] keys)
        {
            if (!when) return;
            var def = FlagCatalog.Get(id);
            var weight = id == "no_encryption_at_rest" && phi ? FlagWeight.Critical : def.BaseWeight;
            flags.Add(new RaisedFlag(def, weight, keys));
        }

        Raise("type1_only", Eq(a, "soc2_report_type", "type1"), "soc2_report_type");
        Raise("no_soc2", Eq(a, "soc2_report_type", "none"), "soc2_report_type");
        Raise("short_period", Eq(a, "soc2_report_type", "type2") && Less(a, "soc2_period_months", options.ShortPeriodMonths),
            "soc2_report_type", "soc2_period_months");
        Raise("stale_report", soc2 && OlderThan(a, "soc2_period_end", asOf, options.StaleReportMonths),
            "soc2_report_type", "soc2_period_end");
        Raise("missing_bridge_letter", soc2 && OlderThan(a, "soc2_period_end", asOf, options.BridgeLetterMonths) && Eq(a, "bridge_letter", false),
            "soc2_period_end", "bridge_letter");
        Raise("security_only_scope", soc2 && a.List("soc2_criteria") is ["security"], "soc2_criteria");
        Raise("qualified_opinion", soc2 && In(a, "soc2_opinion", "qualified", "adverse", "disclaimer"), "soc2_opinion");
        Raise("exceptions_noted", soc2 && a.Has("soc2_exceptions") && !IsNoneText(a, "soc2_exceptions"), "soc2_exceptions");
        Raise("scope_exclusions", soc2 && a.Has("scope_exclusions") && !IsNoneText(a, "scope_exclusions"), "scope_exclusions");
        Raise("carve_out_subservice", soc2 && Eq(a, "subservice_method", "carve-out"), "subservice_method");
        Raise("subprocessors_uncovered", In(a, "subprocessors_with_soc2", "some", "none", "unknown"), "subprocessors_with_soc2");
        Raise("cuecs_not_reviewed", soc2 && Eq(a, "cuecs_reviewed", false), "cuecs_reviewed");
        Raise("attestation_only", phi && Eq(a, "hipaa_evidence", "attestation_letter"), "handles_phi", "hipaa_evidence");
        Raise("stale_risk_analysis",
            phi && a.Has("hipaa_evidence")
                && (Ne(a, "hipaa_evidence", "risk_analysis")
                    || a.IsNull("risk_analysis_date")
                    || OlderThan(a, "risk_analysis_date", asOf, options.StaleRiskAnalysisMonths)),
            "handles_phi", "hipaa_evidence", "risk_analysis_date");
        Raise("internal_risk_analysis",
            phi && Eq(a, "hipaa_evidence", "risk_analysis") && a.Has("risk_analysis_date") && !a.IsNull("risk_analysis_date")
                && Ne(a, "risk_analysis_by", "third_party"),
            "hipaa_evidence", "risk_analysis_date", "risk_analysis_by");
        Raise("no_baa", phi && Eq(a, "baa_signed", false), "handles_phi", "baa_signed");
        var baa = phi && Eq(a, "baa_signed", true);
        Raise("baa_weak_breach_notice", baa && (a.IsNull("baa_breach_notification_days") || Greater(a, "baa_breach_notification_days", 60)),
            "baa_signed", "baa_breach_notification_days");
        Raise("baa_no_flowdown", baa && Eq(a, "baa_subcontractor_flowdown", false), "baa_signed", "baa_subcontractor_flowdown");
        Raise("baa_no_return_destruction", baa && Eq(a, "baa_return_destruction", false), "baa_signed", "baa_return_destruction");
        Raise("no_ir_plan", Eq(a, "incident_response_plan", "none"), "incident_response_plan");
        Raise("ir_untested", Eq(a, "incident_response_plan", "documented"), "incident_response_plan");
        Raise("no_mfa", Eq(a, "mfa_all_production", false), "mfa_all_production");
        Raise("no_encryption_at_rest", Eq(a, "encryption_at_rest", false), phi ? ["encryption_at_rest", "handles_phi"] : ["encryption_at_rest"]);
        Raise("byod_gap", Eq(a, "byod_access_to_prod", true), "byod_access_to_prod");
        Raise("human_factor_gap", Eq(a, "phishing_simulation", false), "phishing_simulation");
        Raise("no_pentest", Eq(a, "pen_test_last_12_months", false), "pen_test_last_12_months");

        var (rating, reasons) = Rate(a, flags, phi, soc2, options);
        return new RiskAssessment(asOf, flags, rating, reasons, OpenKeys(a));
    }

    private static (Rating, IReadOnlyList<string>) Rate(AnswerSet a, List<RaisedFlag> flags, bool phi, bool soc2, RiskOptions options)
    {
        bool Raised(string id) => flags.Any(f => f.Id == id);
        var reasons = new List<string>();

        if (Raised("no_baa")) reasons.Add("the vendor handles PHI without a signed BAA");
        if (phi && Raised("no_soc2") && Eq(a, "hitrust", "none")) reasons.Add("the vendor handles PHI with neither a SOC 2 report nor a HITRUST certification");
        if (phi && Raised("no_encryption_at_rest")) reasons.Add("PHI is not encrypted at rest");
        if (soc2 && In(a, "soc2_opinion", "adverse", "disclaimer")) reasons.Add($"the SOC 2 opinion is {a.Text("soc2_opinion")}");
        if (reasons.Count > 0) return (Rating.Critical, reasons);

        var high = flags.Where(f => f.Weight == FlagWeight.High).ToList();
        if (high.Count > 0) reasons.Add($"{Count(high.Count, "high flag")} raised ({string.Join(", ", high.Select(f => f.Id))})");
        if (phi && Raised("type1_only") && a.Has("hitrust") && !In(a, "hitrust", "r2", "i1"))
            reasons.Add("the vendor handles PHI on a SOC 2 Type I only, without a HITRUST r2 or i1 certification");
        if (Raised("no_soc2") && In(a, "hitrust", "none", "e1"))
            reasons.Add($"no SOC 2 report, and HITRUST is {(Eq(a, "hitrust", "e1") ? "only e1" : "none")}");
        var moderate = flags.Where(f => f.Weight == FlagWeight.Moderate).ToList();
        if (moderate.Count >= options.ModerateFlagsForHigh)
            reasons.Add($"{Count(moderate.Count, "moderate flag")} raised ({string.Join(", ", moderate.Select(f => f.Id))}); {options.ModerateFlagsForHigh} or more make the rating high");
        if (reasons.Count > 0) return (Rating.High, reasons);

        if (moderate.Count > 0)
            return (Rating.Moderate, [$"{Count(moderate.Count, "moderate flag")} raised ({string.Join(", ", moderate.Select(f => f.Id))})"]);
        var info = flags.Count(f => f.Weight == FlagWeight.Informational);
        return (Rating.Low, [info == 0 ? "no flags raised" : $"informational flags only ({string.Join(", ", flags.Select(f => f.Id))})"]);
    }

    /// <summary>Contract keys that are asked for these answers but missing, or answered "unknown".</summary>
    public static IReadOnlyList<OpenKey> OpenKeys(AnswerSet a)
    {
        var open = new List<OpenKey>();
        foreach (var (key, asked) in ContractKeys)
        {
            if (a.IsNull(key)) open.Add(new OpenKey(key, OpenReason.Unknown));
            else if (!a.Has(key) && asked(a)) open.Add(new OpenKey(key, OpenReason.Unanswered));
        }
        return open;
    }

    // ----- comparisons with the spec's null semantics -----------------------------------------------
    // A missing key never satisfies anything. A null compares like any other value: == and < are false,
    // != is true, and none-text includes it.

    private static bool Always(AnswerSet _) => true;

    private static bool Soc2Present(AnswerSet a) => In(a, "soc2_report_type", "type1", "type2");

    internal static bool Eq(AnswerSet a, string key, string value) => a.Text(key) == value;

    internal static bool Eq(AnswerSet a, string key, bool value) => a.Bool(key) == value;

    internal static bool Ne(AnswerSet a, string key, string value) => a.TryGet(key, out var v) && !(v.ValueKind == JsonValueKind.String && v.GetString() == value);

    internal static bool Ne(AnswerSet a, string key, bool value) => a.Has(key) && a.Bool(key) != value;

    internal static bool In(AnswerSet a, string key, params string[] values) => a.Text(key) is { } t && values.Contains(t);

    private static bool Less(AnswerSet a, string key, int limit) => a.Int(key) is int n && n < limit;

    private static bool Greater(AnswerSet a, string key, int limit) => a.Int(key) is int n && n > limit;

    /// <summary>"Older than N months": strictly earlier than the same day N calendar months before <paramref name="asOf"/>.</summary>
    public static bool OlderThan(AnswerSet a, string key, DateOnly asOf, int months) =>
        a.Date(key) is { } d && IsOlderThan(d, asOf, months);

    public static bool IsOlderThan(DateOnly date, DateOnly asOf, int months) => date < asOf.AddMonths(-months);

    /// <summary>The first day on which <paramref name="date"/> is older than <paramref name="months"/> months.</summary>
    public static DateOnly FirstDayOlderThan(DateOnly date, int months)
    {
        // AddMonths clamps to the month's end, so search forward from the naive date for the exact boundary.
        var day = date.AddMonths(months).AddDays(-3);
        while (!IsOlderThan(date, day, months)) day = day.AddDays(1);
        return day;
    }

    private static readonly HashSet<string> NoneWords = new(StringComparer.OrdinalIgnoreCase) { "", "none", "n/a", "na", "null" };

    /// <summary>None-text: null, or after trimming and ignoring case "", "none", "n/a", "na" (and the word "null").</summary>
    public static bool IsNoneText(AnswerSet a, string key)
    {
        if (!a.TryGet(key, out var v)) return false;
        return v.ValueKind switch
        {
            JsonValueKind.Null => true,
            JsonValueKind.String => NoneWords.Contains(v.GetString()!.Trim()),
            _ => false,
        };
    }

    private static string Count(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";
}
