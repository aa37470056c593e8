using System.Globalization;
using System.Text;

namespace DueDiligenceBot.Core.Memo;

/// <summary>The memo as Markdown: the <c>md</c> format of the API and the CLI, and the JSON's <c>markdown</c>.</summary>
public static class MemoMarkdown
{
    public static string Render(MemoDocument m)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Risk memo: {Inline(m.Vendor)}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"**Rating: {m.Rating.Id().ToUpperInvariant()}.** {Inline(m.Recommendation)}");
        sb.AppendLine();
        sb.AppendLine(Inline(Header(m)));
        if (m.Contributors.Count > 0) sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Contributors: {Inline(string.Join("; ", m.Contributors))}");
        sb.AppendLine();

        sb.AppendLine("## Summary").AppendLine();
        sb.AppendLine(Inline(m.Summary));
        sb.AppendLine();
        sb.AppendLine("The rating follows from:");
        foreach (var r in m.RatingReasons) sb.AppendLine(CultureInfo.InvariantCulture, $"- {Inline(r)}");
        sb.AppendLine();

        if (m.Profile.Count > 0)
        {
            sb.AppendLine("## Service and data").AppendLine();
            foreach (var p in m.Profile) sb.AppendLine(CultureInfo.InvariantCulture, $"- **{p.Label}:** {Inline(p.Value)}");
            sb.AppendLine();
        }

        sb.AppendLine("## Findings by structural gap").AppendLine();
        if (!m.Findings.Any()) sb.AppendLine("No flags were raised.").AppendLine();
        foreach (var g in m.Findings)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"### {g.Title}").AppendLine();
            foreach (var f in g.Findings)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"**[{f.Severity.Id().ToUpperInvariant()}] {Inline(f.Title)}** (`{f.Id}`)").AppendLine();
                foreach (var e in f.Evidence)
                    sb.AppendLine(CultureInfo.InvariantCulture, $"- Evidence: {Inline(e.Question)} **{Inline(e.Answer)}** ({Inline(e.By)}, {e.Channel}, {e.At ?? "date unknown"})");
                sb.AppendLine(CultureInfo.InvariantCulture, $"- Why it matters: {Inline(f.WhyItMatters)} Sources: {string.Join("; ", f.Citations.Select(CitationText))}.");
                sb.AppendLine(CultureInfo.InvariantCulture, $"- {(f.Audience == FollowUpAudience.Vendor ? "Ask the vendor" : "Our action")}: {Inline(f.FollowUp)}");
                sb.AppendLine();
            }
        }

        sb.AppendLine("## Coverage").AppendLine();
        foreach (var t in m.Coverage)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"### {t.Title}").AppendLine();
            if (t.Note is not null) sb.AppendLine(Inline(t.Note)).AppendLine();
            if (t.Rows.Count == 0) { sb.AppendLine("Nothing recorded.").AppendLine(); continue; }
            sb.AppendLine("| Item | Answer | Assessment |").AppendLine("|---|---|---|");
            foreach (var r in t.Rows) sb.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(r.Item)} | {Cell(r.Answer)} | {Cell(r.Assessment)} |");
            sb.AppendLine();
        }

        sb.AppendLine("## Crosswalk: which HIPAA Security Rule standards the SOC 2 scope evidences").AppendLine();
        sb.AppendLine(Inline(m.Crosswalk.Summary)).AppendLine();
        if (m.Crosswalk.NotEvidenced.Count > 0)
        {
            sb.AppendLine("Not evidenced by the SOC 2 scope:");
            foreach (var l in m.Crosswalk.NotEvidenced) sb.AppendLine(CultureInfo.InvariantCulture, $"- {l.Citation} {l.Title} ({l.Kind}): needs {string.Join(", ", l.Missing)}");
            sb.AppendLine();
        }
        if (m.Crosswalk.PartlyEvidenced.Count > 0)
        {
            sb.AppendLine("Evidenced only in part:");
            foreach (var l in m.Crosswalk.PartlyEvidenced) sb.AppendLine(CultureInfo.InvariantCulture, $"- {l.Citation} {l.Title}: {string.Join(", ", l.InScope)} in scope; {string.Join(", ", l.Missing)} not");
            sb.AppendLine();
        }
        if (m.Crosswalk.Applies && m.Crosswalk.HipaaOnly.Count > 0)
            sb.AppendLine(CultureInfo.InvariantCulture, $"No SOC 2 counterpart (HIPAA-only): {string.Join("; ", m.Crosswalk.HipaaOnly.Select(l => $"{l.Citation} {l.Title}"))}.").AppendLine();

        sb.AppendLine("## Unanswered questions").AppendLine();
        if (m.Open.Count == 0) sb.AppendLine("None.");
        foreach (var o in m.Open)
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {(o.Number is int n ? $"Q{n} " : "")}{Inline(o.Question)} ({o.Status}{(o.Detail is null ? "" : " " + Inline(o.Detail))}; key `{o.Key}`)");
        sb.AppendLine();

        sb.AppendLine("## Dates to act on").AppendLine();
        if (m.Dates.Count == 0) sb.AppendLine("No dates recorded.");
        foreach (var d in m.Dates)
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {d.Date:yyyy-MM-dd} ({StatusText(d.Status)}): {d.What}. {d.Action}");
        sb.AppendLine();

        sb.AppendLine("## Previous review").AppendLine();
        sb.AppendLine(ChangesText(m)).AppendLine();

        sb.AppendLine("## Follow-up message to the vendor").AppendLine();
        sb.AppendLine("```text").AppendLine(m.FollowUpMessage.Replace("```", "'''", StringComparison.Ordinal)).AppendLine("```").AppendLine();

        sb.AppendLine("## Appendix: every answer and its provenance").AppendLine();
        sb.AppendLine("| # | Question | Answer | By | Channel | When |").AppendLine("|---|---|---|---|---|---|");
        foreach (var a in m.Appendix)
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {a.Number} | {Cell(a.Question)} (`{a.Key}`) | {Cell(a.Answer)}{(a.Earlier is null ? "" : $" (replaced: {Cell(a.Earlier)})")} | {Cell(a.By)} | {a.Channel} | {a.At} |");
        return sb.ToString();
    }

    public static string Header(MemoDocument m)
    {
        var parts = new List<string> { $"As of {m.AsOf:yyyy-MM-dd}" };
        if (m.ReviewNumber is int n) parts.Add($"review {n} ({m.ReviewStatus.Replace('_', ' ')})");
        else if (m.ReviewStatus == MemoBuilder.ImportStatus) parts.Add("assessed from an imported file");
        if (m.Version is int v) parts.Add($"memo version {v}");
        parts.Add($"generated {m.GeneratedAt}");
        return string.Join(" · ", parts);
    }

    public static string ChangesText(MemoDocument m)
    {
        if (m.Changes is not { } c) return "This is the first review of this vendor.";
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Review {c.PreviousReviewNumber} (as of {c.PreviousAsOf:yyyy-MM-dd}) was rated {c.PreviousRating.Id()}");
        sb.Append(c.PreviousDecision is null ? " and had no decision." : $"; decision: {c.PreviousDecision}.");
        sb.Append(c.FlagsAdded.Count == 0 ? " No new flags." : $" New flags: {string.Join(", ", c.FlagsAdded)}.");
        sb.Append(c.FlagsRemoved.Count == 0 ? " No flags cleared." : $" Cleared: {string.Join(", ", c.FlagsRemoved)}.");
        if (c.AnswersChanged.Count == 0) sb.Append(" No answers changed.");
        else
        {
            sb.Append(" Changed answers:");
            foreach (var a in c.AnswersChanged) sb.Append(CultureInfo.InvariantCulture, $"\n- {Inline(a.Question)} (`{a.Key}`): {Inline(a.Before)} → {Inline(a.After)}");
        }
        return sb.ToString();
    }

    public static string StatusText(DueStatus s) => s switch
    {
        DueStatus.Overdue => "overdue",
        DueStatus.DueSoon => "within 90 days",
        _ => "later",
    };

    public static string CitationText(MemoCitation c) => c.Kind switch
    {
        CitationKind.Note => $"note \"{c.Title}\" ({c.Id})",
        _ => c.Title,
    };

    // Text people typed stays on one line and cannot close a table cell.
    private static string Inline(string s) => s.Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Cell(string s) => Inline(s).Replace("|", "\\|", StringComparison.Ordinal);
}
