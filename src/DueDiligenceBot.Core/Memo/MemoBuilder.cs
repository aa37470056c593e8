using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Knowledge;

namespace DueDiligenceBot.Core.Memo;

/// <summary>A current answer with who gave it, through which channel and when.</summary>
public sealed record ProvenancedAnswer(string Key, JsonElement Value, bool Skipped, string By, string Channel, DateTimeOffset? At);

/// <summary>The previous review of the same vendor, to say what changed.</summary>
public sealed record PreviousReviewInput(int Number, DateOnly AsOf, IReadOnlyList<ProvenancedAnswer> Answers, string? Decision);

/// <summary>Everything a memo is built from.</summary>
public sealed record MemoInput(
    string Vendor,
    DateOnly AsOf,
    int? ReviewNumber,
    string ReviewStatus,
    IReadOnlyList<ProvenancedAnswer> Answers,
    PreviousReviewInput? Previous = null,
    int? Version = null,
    IReadOnlyList<ProvenancedAnswer>? History = null);

/// <summary>Builds the memo document from the answers: the rules decide, this lays out the evidence.</summary>
public sealed partial class MemoBuilder(ChecklistDefinition checklist, Func<string, Note?> findNote, CrosswalkTable crosswalk, RiskOptions options, TimeProvider clock)
{
    public const string ImportStatus = "import";
    private const int DueSoonDays = 90;

    public RiskOptions Options => options;

    public (MemoDocument Memo, RiskAssessment Assessment) Build(MemoInput input)
    {
        var current = input.Answers.Where(a => !a.Skipped).GroupBy(a => a.Key).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var answers = new AnswerSet(current.Select(kv => new KeyValuePair<string, JsonElement>(kv.Key, kv.Value.Value)));
        var assessment = RiskRules.Evaluate(answers, input.AsOf, options);
        var ctx = new Ctx(this, answers, current);

        var findings = assessment.Flags
            .GroupBy(f => f.Definition.Gap)
            .OrderBy(g => g.Max(f => f.Weight) switch { var w => -(int)w })
            .ThenBy(g => (int)g.Key)
            .Select(g => new MemoGapGroup(g.Key, g.Key.Title(), g.Key.NoteId() is { Length: > 0 } n ? NoteCitation(n) : null,
                g.OrderByDescending(f => f.Weight).Select(f => Finding(ctx, f)).ToList()))
            .ToList();

        var open = OpenItems(input, answers, assessment);
        var dates = Dates(answers, input.AsOf);
        var changes = input.Previous is { } prev ? Changes(prev, answers, assessment) : null;
        var (recommendation, _) = Recommend(assessment, open.Count);
        var memo = new MemoDocument
        {
            Vendor = input.Vendor,
            AsOf = input.AsOf,
            ReviewNumber = input.ReviewNumber,
            Version = input.Version,
            ReviewStatus = input.ReviewStatus,
            Service = ctx.TextOrNull("service_description"),
            Profile = Profile(ctx),
            Contributors = Contributors(input.Answers),
            Rating = assessment.Rating,
            Recommendation = recommendation,
            RatingReasons = assessment.RatingReasons,
            Summary = "",
            Findings = findings,
            Coverage = Coverage(ctx, assessment, imported: input.ReviewStatus == ImportStatus),
            Crosswalk = Crosswalk(answers),
            Open = open,
            Dates = dates,
            Changes = changes,
            FollowUpMessage = "",
            Appendix = Appendix(input.Answers, input.History),
            GeneratedAt = clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        memo = memo with
        {
            Summary = DeterministicSummary(memo),
            FollowUpMessage = FollowUpMessage(memo, assessment),
        };
        return (memo, assessment);
    }

    // ----- findings -------------------------------------------------------------------------------

    private MemoFinding Finding(Ctx ctx, RaisedFlag f)
    {
        var d = f.Definition;
        var evidence = f.EvidenceKeys.Where(ctx.Current.ContainsKey).Select(k => Evidence(ctx, k)).ToList();
        var citations = d.Citations.Select(Cite).ToList();
        return new MemoFinding(d.Id, f.Weight, ctx.Fill(d.Title), ctx.Fill(d.WhyItMatters), evidence, ctx.Fill(d.FollowUp), d.Audience, citations);
    }

    private MemoEvidence Evidence(Ctx ctx, string key)
    {
        var a = ctx.Current[key];
        return new MemoEvidence(key, QuestionText(key), ctx.Display(key), a.By, a.Channel, Day(a.At));
    }

    private MemoCitation Cite(RuleCitation c) => c.Kind switch
    {
        CitationKind.Note => NoteCitation(c.Id),
        CitationKind.Regulation => new MemoCitation(c.Kind, c.Id, c.Id, EcfrUrl(c.Id)),
        _ => new MemoCitation(c.Kind, c.Id, $"SOC 2 {c.Id}", null),
    };

    private MemoCitation NoteCitation(string id) => new(CitationKind.Note, id, findNote(id)?.Title ?? id, null);

    private static string? EcfrUrl(string reference)
    {
        var m = CfrSection().Match(reference);
        return m.Success ? $"https://www.ecfr.gov/current/title-45/section-{m.Groups[1].Value}" : null;
    }

    [GeneratedRegex(@"^45 CFR (\d+\.\d+)")]
    private static partial Regex CfrSection();

    // ----- rating and recommendation --------------------------------------------------------------

    public static (string Text, string Verdict) Recommend(RiskAssessment a, int openCount)
    {
        int Count(FlagWeight w) => a.Flags.Count(f => f.Weight == w);
        var open = openCount == 0 ? "" : $" {Plural(openCount, "question is", "questions are")} still open.";
        return a.Rating switch
        {
            Rating.Critical => ($"Do not approve yet: {string.Join("; ", a.RatingReasons)}. No data should be shared until this is resolved.{open}", "do not approve yet"),
            Rating.High => ($"Do not approve yet: {Plural(Count(FlagWeight.High) + Count(FlagWeight.Moderate), "finding needs", "findings need")} an answer from the vendor or a documented risk acceptance first.{open}", "do not approve yet"),
            Rating.Moderate => ($"Approve with conditions: the vendor answers the {Plural(Count(FlagWeight.Moderate), "moderate finding", "moderate findings")} below by an agreed date.{open}", "approve with conditions"),
            _ => ($"Approve: no moderate, high or critical findings.{open}", "approve"),
        };
    }

    private static string DeterministicSummary(MemoDocument m)
    {
        var all = m.AllFindings.ToList();
        var sb = new StringBuilder();
        // The reasons are listed right under the summary; the summary says what to read first.
        sb.Append(CultureInfo.InvariantCulture, $"{m.Vendor} is rated {m.Rating.Id()} as of {m.AsOf:yyyy-MM-dd}.");
        if (all.Count == 0) sb.Append(" The rules raised no flags.");
        else
        {
            var counts = Enum.GetValues<FlagWeight>().Reverse()
                .Select(w => (w, n: all.Count(f => f.Severity == w))).Where(x => x.n > 0)
                .Select(x => $"{x.n} {x.w.Id()}");
            sb.Append(CultureInfo.InvariantCulture, $" {Plural(all.Count, "finding", "findings")} ({string.Join(", ", counts)}) across {Plural(m.Findings.Count, "structural gap", "structural gaps")}.");
            var top = all.Where(f => f.Severity >= FlagWeight.Moderate).OrderByDescending(f => f.Severity).Take(3).Select(f => f.Title).ToList();
            if (top.Count > 0) sb.Append(CultureInfo.InvariantCulture, $" Read first: {string.Join("; ", top)}.");
        }
        if (m.Open.Count > 0) sb.Append(CultureInfo.InvariantCulture, $" {Plural(m.Open.Count, "question is", "questions are")} still open.");
        var overdue = m.Dates.Where(d => d.Status == DueStatus.Overdue).ToList();
        if (overdue.Count > 0)
            sb.Append(CultureInfo.InvariantCulture, $" Overdue: {string.Join("; ", overdue.Select(d => $"{d.What.ToLowerInvariant()} since {d.Date:yyyy-MM-dd}"))}.");
        else if (m.Dates.FirstOrDefault() is { } next)
            sb.Append(CultureInfo.InvariantCulture, $" Next date to act on: {next.Date:yyyy-MM-dd} ({next.What.ToLowerInvariant()}).");
        return sb.ToString();
    }

    // ----- profile, coverage, crosswalk -------------------------------------------------------------

    private static readonly (string Key, string Label)[] ProfileKeys =
    [
        ("service_description", "Service"),
        ("handles_phi", "Handles PHI"),
        ("phi_record_volume", "Patient records"),
        ("data_types", "Data handled"),
        ("system_access", "Connection to our systems"),
        ("business_criticality", "Business criticality"),
        ("hosting", "Hosting"),
        ("vendor_security_contact", "Vendor security contact"),
    ];

    private IReadOnlyList<ProfileLine> Profile(Ctx ctx) =>
        ProfileKeys.Where(p => ctx.Current.ContainsKey(p.Key)).Select(p => new ProfileLine(p.Label, ctx.Display(p.Key))).ToList();

    private static readonly (string Key, string Item)[] Soc2Rows =
    [
        ("soc2_report_type", "Report type"),
        ("soc2_period_months", "Audit period"),
        ("soc2_period_end", "Period end (Type II) or as-of date (Type I)"),
        ("soc2_criteria", "Trust Services Criteria in scope"),
        ("soc2_opinion", "Auditor's opinion"),
        ("soc2_exceptions", "Testing exceptions"),
        ("scope_exclusions", "Scope exclusions"),
        ("product_in_scope", "Our product named in the system description"),
        ("subservice_method", "Subservice organisations"),
        ("subprocessors_with_soc2", "Subprocessors with their own reports"),
        ("cuecs_reviewed", "User entity controls (CUECs) reviewed by us"),
        ("bridge_letter", "Bridge letter"),
        ("soc2_auditor_firm", "Audit firm"),
    ];

    private static readonly (string Key, string Item)[] HipaaRows =
    [
        ("handles_phi", "Handles PHI"),
        ("hipaa_evidence", "HIPAA evidence"),
        ("risk_analysis_date", "Risk analysis date"),
        ("risk_analysis_by", "Risk analysis performed by"),
        ("baa_signed", "BAA signed"),
        ("baa_breach_notification_days", "BAA: breach notice to us"),
        ("baa_subcontractor_flowdown", "BAA: binds subcontractors"),
        ("baa_return_destruction", "BAA: return or destruction of PHI"),
        ("baa_security_incident_reporting", "BAA: security incidents reported"),
    ];

    private static readonly (string Key, string Item)[] HitrustRows =
    [
        ("hitrust", "Certification"),
        ("hitrust_expiry", "Expires"),
    ];

    private IReadOnlyList<CoverageTable> Coverage(Ctx ctx, RiskAssessment a, bool imported)
    {
        // An imported file is judged on the contract keys; the checklist's own questions it lacks are not gaps.
        var contract = RiskRules.ContractKeys.Select(k => k.Key).ToHashSet(StringComparer.Ordinal);
        CoverageTable Table(string title, (string Key, string Item)[] rows, string? note)
        {
            var lines = new List<CoverageRow>();
            foreach (var (key, item) in rows)
            {
                var q = checklist.Find(key);
                var asked = q is null ? ctx.Current.ContainsKey(key) : checklist.IsAsked(q, ctx.Answers);
                if (!asked && !ctx.Current.ContainsKey(key)) continue;
                if (imported && !ctx.Current.ContainsKey(key) && !contract.Contains(key)) continue;
                // A flag is shown on the row of the last answered key it rests on (stale_report on the period end).
                var flags = a.Flags.Where(f => f.EvidenceKeys.LastOrDefault(ctx.Current.ContainsKey) == key).ToList();
                string assessment;
                if (!ctx.Current.ContainsKey(key)) assessment = "open: not answered";
                else if (flags.Count > 0) assessment = string.Join(", ", flags.Select(f => $"{f.Id} ({f.Weight.Id()})"));
                else if (ctx.Answers.IsNull(key)) assessment = "open: unknown";
                else assessment = "no flag";
                lines.Add(new CoverageRow(item, ctx.Current.ContainsKey(key) ? ctx.Display(key) : "—", assessment, flags.Count > 0));
            }
            return new CoverageTable(title, lines, note);
        }

        var phi = ctx.Answers.Bool("handles_phi");
        var tables = new List<CoverageTable>
        {
            Table("SOC 2", Soc2Rows, RiskRules.Eq(ctx.Answers, "soc2_report_type", "none") ? "The vendor has no SOC 2 report." : null),
            phi == false
                ? new CoverageTable("HIPAA", [new CoverageRow("Handles PHI", "no", "no BAA or HIPAA risk analysis needed", false)], "The vendor handles no PHI, so no HIPAA flags apply.")
                : Table("HIPAA", HipaaRows, null),
            Table("HITRUST", HitrustRows, HitrustNote(ctx)),
        };
        return tables;
    }

    private string? HitrustNote(Ctx ctx) => ctx.Answers.Text("hitrust") switch
    {
        "r2" => "An r2 is valid for two years if the interim assessment at the one-year mark is passed.",
        "i1" or "e1" => "An i1 or e1 is valid for one year.",
        _ => null,
    };

    private CrosswalkAnalysis Crosswalk(AnswerSet a)
    {
        if (a.Bool("handles_phi") == false)
            return new CrosswalkAnalysis(false, "The vendor handles no PHI, so the HIPAA Security Rule crosswalk does not apply.", [], 0, [], [], []);
        var hipaaOnly = crosswalk.Rows.Where(r => r.Soc2Criteria.Count == 0).Select(r => Line(r, [], [])).ToList();
        if (crosswalk.Rows.Count == 0)
            return new CrosswalkAnalysis(true, "The crosswalk table is not available.", [], 0, [], [], []);
        if (!RiskRules.In(a, "soc2_report_type", "type1", "type2"))
            return new CrosswalkAnalysis(true,
                "There is no SOC 2 report in evidence, so no HIPAA Security Rule standard is evidenced by SOC 2 criteria: the HIPAA evidence has to come from the vendor's risk analysis or a HITRUST certification.",
                [], 0, [], [], hipaaOnly);

        var listed = a.List("soc2_criteria");
        var categories = new List<string> { "security" };
        if (listed is not null) categories.AddRange(listed.Where(c => c != "security"));
        var evidenced = 0;
        var none = new List<CrosswalkLine>();
        var partly = new List<CrosswalkLine>();
        foreach (var r in crosswalk.Rows.Where(r => r.Soc2Criteria.Count > 0))
        {
            var inScope = r.Soc2Criteria.Where(c => categories.Contains(CrosswalkTable.CategoryOf(c))).ToList();
            var missing = r.Soc2Criteria.Except(inScope).ToList();
            if (missing.Count == 0) evidenced++;
            else if (inScope.Count == 0) none.Add(Line(r, inScope, missing));
            else partly.Add(Line(r, inScope, missing));
        }
        var mapped = crosswalk.Rows.Count - hipaaOnly.Count;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Criteria in scope: {string.Join(", ", categories.Select(CategoryLabel))}{(listed is null ? " (the criteria were not recorded; only Security, which every SOC 2 includes, is assumed)" : "")}. ");
        sb.Append(CultureInfo.InvariantCulture, $"Of the {mapped} HIPAA Security Rule standards and specifications the crosswalk maps to SOC 2, {evidenced} are evidenced by criteria in scope, {partly.Count} only in part and {none.Count} not at all");
        if (none.Count > 0)
        {
            var missingCats = none.SelectMany(l => l.Missing).Select(CrosswalkTable.CategoryOf).Distinct().Select(CategoryLabel);
            sb.Append(CultureInfo.InvariantCulture, $" (they need {string.Join(", ", missingCats)}, which the report does not cover)");
        }
        sb.Append(CultureInfo.InvariantCulture, $"; {Plural(hipaaOnly.Count, "has", "have")} no SOC 2 counterpart at all.");
        if (RiskRules.Eq(a, "soc2_report_type", "type1"))
            sb.Append(" A Type I report evidences the design of these controls on one date, not their operation.");
        if (a.Has("scope_exclusions") && !RiskRules.IsNoneText(a, "scope_exclusions"))
            sb.Append(" Nothing is evidenced for the systems the report leaves out of scope.");
        return new CrosswalkAnalysis(true, sb.ToString(), categories, evidenced, none, partly, hipaaOnly);
    }

    private static CrosswalkLine Line(CrosswalkRow r, IReadOnlyList<string> inScope, IReadOnlyList<string> missing) =>
        new(r.HipaaCitation, r.HipaaTitle, r.Kind, inScope, missing, r.Comment);

    public static string CategoryLabel(string category) => category switch
    {
        "security" => "Security",
        "availability" => "Availability",
        "processing_integrity" => "Processing Integrity",
        "confidentiality" => "Confidentiality",
        "privacy" => "Privacy",
        _ => category,
    };

    // ----- open items, dates, changes ---------------------------------------------------------------

    private IReadOnlyList<OpenItem> OpenItems(MemoInput input, AnswerSet answers, RiskAssessment a)
    {
        var skipped = input.Answers.GroupBy(x => x.Key).Select(g => g.Last()).Where(x => x.Skipped).ToDictionary(x => x.Key, StringComparer.Ordinal);
        var keys = new List<(string Key, string Status, string? Detail)>();
        foreach (var q in checklist.Questions)
        {
            if (!checklist.IsAsked(q, answers) && !answers.Has(q.Key)) continue;
            if (skipped.TryGetValue(q.Key, out var s) && !answers.Has(q.Key))
                keys.Add((q.Key, "skipped", $"by {s.By} on {Day(s.At)}"));
            else if (answers.IsNull(q.Key))
                keys.Add((q.Key, "unknown", WhoWhen(input.Answers, q.Key)));
            else if (!answers.Has(q.Key) && (input.ReviewStatus != ImportStatus || a.Open.Any(o => o.Key == q.Key)))
                keys.Add((q.Key, "not answered", null));
        }
        foreach (var o in a.Open.Where(o => checklist.Find(o.Key) is null))
            keys.Add((o.Key, o.Reason == OpenReason.Unknown ? "unknown" : "not answered", null));
        return keys.Select(k => new OpenItem(k.Key, checklist.Find(k.Key)?.Number, QuestionText(k.Key), k.Status, k.Detail)).ToList();
    }

    private static string? WhoWhen(IReadOnlyList<ProvenancedAnswer> answers, string key) =>
        answers.LastOrDefault(x => x.Key == key) is { } a ? $"by {a.By} on {Day(a.At)}" : null;

    private IReadOnlyList<DueDate> Dates(AnswerSet a, DateOnly asOf)
    {
        var list = new List<(DateOnly Date, string What, string Action)>();
        if (RiskRules.In(a, "soc2_report_type", "type1", "type2") && a.Date("soc2_period_end") is { } end)
        {
            list.Add((RiskRules.FirstDayOlderThan(end, options.StaleReportMonths), "SOC 2 report becomes stale",
                $"Obtain the next SOC 2 report; the current one covers controls up to {end:yyyy-MM-dd}."));
            if (a.Bool("bridge_letter") != true)
                list.Add((RiskRules.FirstDayOlderThan(end, options.BridgeLetterMonths), "Bridge letter needed",
                    "Ask for a bridge letter covering the time since the SOC 2 period ended."));
        }
        if (a.Bool("handles_phi") != false && RiskRules.Eq(a, "hipaa_evidence", "risk_analysis") && a.Date("risk_analysis_date") is { } ra)
            list.Add((RiskRules.FirstDayOlderThan(ra, options.StaleRiskAnalysisMonths), "HIPAA risk analysis due for refresh",
                $"Ask for the updated risk analysis; the current one is dated {ra:yyyy-MM-dd}."));
        if (RiskRules.In(a, "hitrust", "r2", "i1", "e1") && a.Date("hitrust_expiry") is { } exp)
        {
            var type = a.Text("hitrust")!;
            list.Add((exp, $"HITRUST {type} certification expires", "Ask for the renewed certification letter (or an r2 bridge certificate) before this date."));
            if (type == "r2")
                list.Add((exp.AddYears(-1), "HITRUST r2 interim assessment due", "Ask for evidence that the one-year interim assessment was passed."));
        }
        return list.OrderBy(d => d.Date).Select(d => new DueDate(d.Date, d.What, d.Action,
            d.Date <= asOf ? DueStatus.Overdue : d.Date <= asOf.AddDays(DueSoonDays) ? DueStatus.DueSoon : DueStatus.Later)).ToList();
    }

    private MemoChanges Changes(PreviousReviewInput prev, AnswerSet now, RiskAssessment current)
    {
        var before = new AnswerSet(prev.Answers.Where(x => !x.Skipped).GroupBy(x => x.Key)
            .Select(g => new KeyValuePair<string, JsonElement>(g.Key, g.Last().Value)));
        var then = RiskRules.Evaluate(before, prev.AsOf, options);
        var added = current.FlagIds.Except(then.FlagIds).ToList();
        var removed = then.FlagIds.Except(current.FlagIds).ToList();
        var changed = new List<AnswerChange>();
        foreach (var key in checklist.Questions.Select(q => q.Key))
        {
            var b = before.Has(key) ? DisplayOf(key, before) : "not answered";
            var n = now.Has(key) ? DisplayOf(key, now) : "not answered";
            if (b != n) changed.Add(new AnswerChange(key, QuestionText(key), b, n));
        }
        return new MemoChanges(prev.Number, prev.AsOf, then.Rating, prev.Decision, added, removed, changed);
    }

    // ----- follow-up message and appendix ----------------------------------------------------------

    private static readonly (string[] Keys, string Ask)[] VendorAsks =
    [
        (["soc2_report_type"], "your current SOC 2 report (Type II if you have one)"),
        (["soc2_period_months", "soc2_period_end", "soc2_criteria", "soc2_opinion", "soc2_exceptions", "scope_exclusions", "subservice_method"],
            "the complete SOC 2 report, including the auditor's opinion, the system description and the test results (we could not confirm: {keys})"),
        (["bridge_letter"], "a bridge letter covering the time since your SOC 2 audit period ended, if you have one"),
        (["subprocessors_with_soc2"], "the list of subprocessors that store, process or can reach our data, and whether each has its own SOC 2 or equivalent report"),
        (["hipaa_evidence", "risk_analysis_date", "risk_analysis_by"], "your latest HIPAA security risk analysis, or a summary showing its date, scope and who performed it"),
        (["incident_response_plan"], "whether you have a written incident response plan, and when it was last tested"),
        (["hitrust"], "any HITRUST certification you hold, with its type (e1, i1 or r2) and expiry date"),
        (["mfa_all_production"], "whether multi-factor authentication is enforced on all access to production systems, without exceptions"),
        (["encryption_at_rest"], "whether our data is encrypted at rest, including backups"),
        (["byod_access_to_prod"], "whether personal (unmanaged) devices can reach your production or development environments"),
        (["phishing_simulation"], "whether you run phishing simulations for your staff"),
        (["pen_test_last_12_months"], "the date and a summary of your last independent penetration test"),
    ];

    private string FollowUpMessage(MemoDocument m, RiskAssessment a)
    {
        var items = m.AllFindings.Where(f => f.Audience == FollowUpAudience.Vendor && f.Severity > FlagWeight.Informational)
            .OrderByDescending(f => f.Severity).Select(f => f.FollowUp)
            .Concat(m.AllFindings.Where(f => f.Audience == FollowUpAudience.Vendor && f.Severity == FlagWeight.Informational).Select(f => f.FollowUp))
            .ToList();
        var openKeys = m.Open.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (keys, ask) in VendorAsks)
        {
            var hit = keys.Where(openKeys.Contains).ToList();
            if (hit.Count == 0) continue;
            var text = ask.Replace("{keys}", string.Join(", ", hit.Select(k => ShortLabel(k))), StringComparison.Ordinal);
            items.Add($"Please send {text}.");
        }
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Subject: {m.Vendor} security review: follow-up questions");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Hello {m.Vendor} security team,");
        sb.AppendLine();
        if (items.Count == 0)
        {
            sb.AppendLine("Thank you for the information you provided for our security review. We have no further questions at this time.");
        }
        else
        {
            sb.AppendLine("Thank you for the information you provided for our security review. To complete it, we would be grateful for answers to the following:");
            sb.AppendLine();
            for (var i = 0; i < items.Count; i++) sb.AppendLine(CultureInfo.InvariantCulture, $"{i + 1}. {items[i]}");
            sb.AppendLine();
            sb.AppendLine("Please answer each numbered point; documents can be attached to your reply. If a point is unclear, reply and we will set up a short call.");
        }
        sb.AppendLine();
        sb.AppendLine("Kind regards,");
        sb.Append("[your name], Security");
        return sb.ToString();
    }

    private static string ShortLabel(string key) => key switch
    {
        "soc2_period_months" => "the length of the audit period",
        "soc2_period_end" => "the end of the audit period",
        "soc2_criteria" => "the criteria in scope",
        "soc2_opinion" => "the auditor's opinion",
        "soc2_exceptions" => "the testing exceptions",
        "scope_exclusions" => "what the scope leaves out",
        "subservice_method" => "how subservice organisations are treated",
        _ => key,
    };

    private IReadOnlyList<AppendixRow> Appendix(IReadOnlyList<ProvenancedAnswer> all, IReadOnlyList<ProvenancedAnswer>? history)
    {
        var latest = all.GroupBy(a => a.Key).Select(g => g.Last()).ToDictionary(a => a.Key, StringComparer.Ordinal);
        // Corrections: every earlier row of a key, so a reviewer sees what an answer replaced and who gave it.
        string? Earlier(string key)
        {
            if (history is null) return null;
            var rows = history.Where(h => h.Key == key).ToList();
            if (rows.Count <= 1) return null;
            return string.Join("; ", rows.Take(rows.Count - 1).Select(h => $"{(h.Skipped ? "(skipped)" : DisplayValue(key, h.Value))} by {h.By}, {Day(h.At)}"));
        }
        var rows = new List<AppendixRow>();
        foreach (var q in checklist.Questions)
        {
            if (!latest.TryGetValue(q.Key, out var a)) continue;
            var section = checklist.SectionOf(q).Title;
            rows.Add(new AppendixRow(q.Number, section, q.Key, q.Prompt, a.Skipped ? "(skipped)" : DisplayValue(q.Key, a.Value), a.By, a.Channel, Day(a.At), Earlier(q.Key)));
        }
        foreach (var a in latest.Values.Where(a => checklist.Find(a.Key) is null))
            rows.Add(new AppendixRow(null, "Other", a.Key, a.Key, a.Skipped ? "(skipped)" : DisplayValue(a.Key, a.Value), a.By, a.Channel, Day(a.At)));
        return rows;
    }

    private static IReadOnlyList<string> Contributors(IReadOnlyList<ProvenancedAnswer> all)
    {
        var latest = all.GroupBy(a => a.Key).Select(g => g.Last());
        return latest.GroupBy(a => a.By)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} ({Plural(g.Count(), "answer", "answers")} via {string.Join(", ", g.Select(a => a.Channel).Distinct().Order(StringComparer.Ordinal))})")
            .ToList();
    }

    // ----- helpers ----------------------------------------------------------------------------------

    private string QuestionText(string key) => checklist.Find(key)?.Prompt ?? key;

    private static readonly Dictionary<string, string> NullDisplay = new(StringComparer.Ordinal)
    {
        ["baa_breach_notification_days"] = "no deadline (unknown)",
        ["risk_analysis_date"] = "no date given",
    };

    internal string DisplayValue(string key, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null) return NullDisplay.GetValueOrDefault(key, "unknown");
        if (value.ValueKind == JsonValueKind.String && value.GetString()!.Trim().Length == 0) return "(empty)";
        if (checklist.Find(key) is not { } q) return value.ToString();
        // Option labels can hold commas themselves ("Patient demographics: names, addresses"), so lists use semicolons.
        if (value.ValueKind == JsonValueKind.Array)
            return string.Join("; ", value.EnumerateArray().Select(v => q.Options.FirstOrDefault(o => o.Value == v.GetString())?.Label ?? v.ToString()));
        return AnswerParser.Display(q, value);
    }

    private string DisplayOf(string key, AnswerSet a) => a.TryGet(key, out var v) ? DisplayValue(key, v) : "not answered";

    private static string? Day(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    internal static string Plural(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n} {many}";

    private sealed class Ctx(MemoBuilder b, AnswerSet answers, Dictionary<string, ProvenancedAnswer> current)
    {
        public AnswerSet Answers => answers;
        public Dictionary<string, ProvenancedAnswer> Current => current;

        public string Display(string key) => b.DisplayOf(key, answers);

        public string? TextOrNull(string key) => answers.Text(key) is { } t && !RiskRules.IsNoneText(answers, key) ? t : null;

        public string Fill(string template) => Placeholder().Replace(template, m =>
        {
            var name = m.Groups[1].Value;
            if (name.StartsWith("opt:", StringComparison.Ordinal))
                return typeof(RiskOptions).GetProperty(name[4..])?.GetValue(b.Options)?.ToString() ?? m.Value;
            return Display(name);
        });
    }

    [GeneratedRegex(@"\{([a-z0-9_]+|opt:[A-Za-z]+)\}")]
    private static partial Regex Placeholder();
}
