using System.Globalization;
using System.Net;
using System.Text;

namespace DueDiligenceBot.Core.Memo;

/// <summary>
/// The memo as server-rendered HTML. Every string that a vendor or user could have typed goes through
/// <see cref="E"/>; nothing here writes unencoded text.
/// </summary>
public static class MemoHtml
{
    public static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    /// <summary>A complete page (the <c>html</c> format of the API).</summary>
    public static string Page(MemoDocument m) =>
        $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Risk memo: {E(m.Vendor)}</title><style>{Css}</style></head>
        <body><main>{Fragment(m)}</main></body></html>
        """;

    public static string Fragment(MemoDocument m)
    {
        var sb = new StringBuilder();
        sb.Append("<article class=\"memo\">");
        sb.Append(CultureInfo.InvariantCulture, $"<header class=\"memo-head\"><h1>Risk memo: {E(m.Vendor)}</h1>");
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">{E(MemoMarkdown.Header(m))}</p>");
        sb.Append(CultureInfo.InvariantCulture, $"<div class=\"verdict rating-{m.Rating.Id()}\"><span class=\"rating\" data-testid=\"rating\">{m.Rating.Id().ToUpperInvariant()}</span><span class=\"rec\">{E(m.Recommendation)}</span></div>");
        if (m.Contributors.Count > 0) sb.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">Contributors: {E(string.Join("; ", m.Contributors))}</p>");
        sb.Append("</header>");

        sb.Append("<section id=\"summary\"><h2>Summary</h2>");
        sb.Append(CultureInfo.InvariantCulture, $"<p>{E(m.Summary)}</p>");
        if (m.SummarySource == "model") sb.Append("<p class=\"meta\">Summary written by a language model from the computed findings and checked against them.</p>");
        sb.Append("<p class=\"reasons-head\">The rating follows from:</p><ul class=\"reasons\">");
        foreach (var r in m.RatingReasons) sb.Append(CultureInfo.InvariantCulture, $"<li>{E(r)}</li>");
        sb.Append("</ul></section>");

        if (m.Profile.Count > 0)
        {
            sb.Append("<section id=\"service\"><h2>Service and data</h2><dl class=\"profile\">");
            foreach (var p in m.Profile) sb.Append(CultureInfo.InvariantCulture, $"<dt>{E(p.Label)}</dt><dd>{E(p.Value)}</dd>");
            sb.Append("</dl></section>");
        }

        sb.Append("<section id=\"findings\"><h2>Findings by structural gap</h2>");
        if (!m.Findings.Any()) sb.Append("<p>No flags were raised.</p>");
        foreach (var g in m.Findings)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<h3>{E(g.Title)}</h3>");
            foreach (var f in g.Findings)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<div class=\"finding sev-{f.Severity.Id()}\" id=\"flag-{f.Id}\" data-flag=\"{f.Id}\">");
                sb.Append(CultureInfo.InvariantCulture, $"<h4><span class=\"badge sev-{f.Severity.Id()}\">{f.Severity.Id()}</span> {E(f.Title)} <code>{f.Id}</code></h4>");
                if (f.Evidence.Count > 0)
                {
                    sb.Append("<table class=\"evidence\"><thead><tr><th>Evidence: question</th><th>Answer</th><th>Given by</th></tr></thead><tbody>");
                    foreach (var e in f.Evidence)
                        sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(e.Question)}</td><td class=\"answer\">{E(e.Answer)}</td><td class=\"who\">{E(e.By)}<br><small>{E(e.Channel)}, {E(e.At ?? "date unknown")}</small></td></tr>");
                    sb.Append("</tbody></table>");
                }
                sb.Append(CultureInfo.InvariantCulture, $"<p><strong>Why it matters.</strong> {E(f.WhyItMatters)}</p>");
                sb.Append("<p class=\"cites\"><strong>Sources:</strong> ");
                sb.Append(string.Join("; ", f.Citations.Select(Citation)));
                sb.Append("</p>");
                sb.Append(CultureInfo.InvariantCulture, $"<p class=\"followup\"><strong>{(f.Audience == FollowUpAudience.Vendor ? "Ask the vendor" : "Our action")}:</strong> {E(f.FollowUp)}</p>");
                sb.Append("</div>");
            }
        }
        sb.Append("</section>");

        sb.Append("<section id=\"coverage\"><h2>Coverage</h2>");
        foreach (var t in m.Coverage)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<h3>{E(t.Title)}</h3>");
            if (t.Note is not null) sb.Append(CultureInfo.InvariantCulture, $"<p>{E(t.Note)}</p>");
            if (t.Rows.Count == 0) { sb.Append("<p>Nothing recorded.</p>"); continue; }
            sb.Append("<table class=\"coverage\"><thead><tr><th>Item</th><th>Answer</th><th>Assessment</th></tr></thead><tbody>");
            foreach (var r in t.Rows)
                sb.Append(CultureInfo.InvariantCulture, $"<tr{(r.Flagged ? " class=\"flagged\"" : r.Assessment.StartsWith("open", StringComparison.Ordinal) ? " class=\"open\"" : "")}><td>{E(r.Item)}</td><td>{E(r.Answer)}</td><td>{E(r.Assessment)}</td></tr>");
            sb.Append("</tbody></table>");
        }
        sb.Append("</section>");

        sb.Append("<section id=\"crosswalk\"><h2>Crosswalk: HIPAA Security Rule standards the SOC 2 scope evidences</h2>");
        sb.Append(CultureInfo.InvariantCulture, $"<p>{E(m.Crosswalk.Summary)}</p>");
        if (m.Crosswalk.NotEvidenced.Count > 0)
        {
            sb.Append("<table class=\"crosswalk\"><thead><tr><th>HIPAA</th><th>Not evidenced</th><th>Needs</th></tr></thead><tbody>");
            foreach (var l in m.Crosswalk.NotEvidenced)
                sb.Append(CultureInfo.InvariantCulture, $"<tr class=\"flagged\"><td>{E(l.Citation)}</td><td>{E(l.Title)} <small>({E(l.Kind)})</small></td><td>{E(string.Join(", ", l.Missing))}</td></tr>");
            sb.Append("</tbody></table>");
        }
        if (m.Crosswalk.PartlyEvidenced.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<details><summary>{m.Crosswalk.PartlyEvidenced.Count} standards evidenced only in part</summary><table class=\"crosswalk\"><thead><tr><th>HIPAA</th><th>Standard</th><th>In scope</th><th>Not in scope</th></tr></thead><tbody>");
            foreach (var l in m.Crosswalk.PartlyEvidenced)
                sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(l.Citation)}</td><td>{E(l.Title)}</td><td>{E(string.Join(", ", l.InScope))}</td><td>{E(string.Join(", ", l.Missing))}</td></tr>");
            sb.Append("</tbody></table></details>");
        }
        if (m.Crosswalk.Applies && m.Crosswalk.HipaaOnly.Count > 0)
            sb.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">No SOC 2 counterpart (HIPAA-only): {E(string.Join("; ", m.Crosswalk.HipaaOnly.Select(l => $"{l.Citation} {l.Title}")))}.</p>");
        sb.Append("</section>");

        sb.Append("<section id=\"open\"><h2>Unanswered questions</h2>");
        if (m.Open.Count == 0) sb.Append("<p>None.</p>");
        else
        {
            sb.Append("<ul class=\"open-items\">");
            foreach (var o in m.Open)
                sb.Append(CultureInfo.InvariantCulture, $"<li>{(o.Number is int n ? $"<b>Q{n}</b> " : "")}{E(o.Question)} <span class=\"status\">{E(o.Status)}{(o.Detail is null ? "" : " " + E(o.Detail))}</span></li>");
            sb.Append("</ul>");
        }
        sb.Append("</section>");

        sb.Append("<section id=\"dates\"><h2>Dates to act on</h2>");
        if (m.Dates.Count == 0) sb.Append("<p>No dates recorded.</p>");
        else
        {
            sb.Append("<table class=\"dates\"><thead><tr><th>Date</th><th>What</th><th>Action</th></tr></thead><tbody>");
            foreach (var d in m.Dates)
                sb.Append(CultureInfo.InvariantCulture, $"<tr class=\"due-{d.Status.ToString().ToLowerInvariant()}\"><td class=\"date\">{d.Date:yyyy-MM-dd}<br><small>{MemoMarkdown.StatusText(d.Status)}</small></td><td>{E(d.What)}</td><td>{E(d.Action)}</td></tr>");
            sb.Append("</tbody></table>");
        }
        sb.Append("</section>");

        sb.Append("<section id=\"previous\"><h2>Previous review</h2>");
        if (m.Changes is not { } c) sb.Append("<p>This is the first review of this vendor.</p>");
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p>Review {c.PreviousReviewNumber} (as of {c.PreviousAsOf:yyyy-MM-dd}) was rated <b>{c.PreviousRating.Id()}</b>; decision: {E(c.PreviousDecision ?? "none")}.</p>");
            sb.Append(CultureInfo.InvariantCulture, $"<p>New flags: {E(c.FlagsAdded.Count == 0 ? "none" : string.Join(", ", c.FlagsAdded))}. Cleared: {E(c.FlagsRemoved.Count == 0 ? "none" : string.Join(", ", c.FlagsRemoved))}.</p>");
            if (c.AnswersChanged.Count > 0)
            {
                sb.Append("<table class=\"changes\"><thead><tr><th>Question</th><th>Before</th><th>Now</th></tr></thead><tbody>");
                foreach (var a in c.AnswersChanged) sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(a.Question)}</td><td>{E(a.Before)}</td><td>{E(a.After)}</td></tr>");
                sb.Append("</tbody></table>");
            }
        }
        sb.Append("</section>");

        sb.Append("<section id=\"followup\"><h2>Follow-up message to the vendor</h2>");
        sb.Append(CultureInfo.InvariantCulture, $"<pre class=\"message\" id=\"followup-message\">{E(m.FollowUpMessage)}</pre></section>");

        sb.Append(CultureInfo.InvariantCulture, $"<section id=\"appendix\"><details><summary><h2>Appendix: every answer and its provenance ({m.Appendix.Count})</h2></summary>");
        sb.Append("<table class=\"appendix\"><thead><tr><th>#</th><th>Question</th><th>Answer</th><th>By</th><th>When</th></tr></thead><tbody>");
        foreach (var a in m.Appendix)
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{a.Number}</td><td>{E(a.Question)}<br><code>{E(a.Key)}</code></td><td>{E(a.Answer)}{(a.Earlier is null ? "" : $"<br><small class=\"earlier\">replaced: {E(a.Earlier)}</small>")}</td><td>{E(a.By)}<br><small>{E(a.Channel)}</small></td><td>{E(a.At)}</td></tr>");
        sb.Append("</tbody></table></details></section>");
        sb.Append("</article>");
        return sb.ToString();
    }

    private static string Citation(MemoCitation c)
    {
        var text = c.Kind == CitationKind.Note ? $"{E(c.Title)} <small>(note {E(c.Id)})</small>" : E(c.Title);
        return c.Url is null ? text : $"<a href=\"{E(c.Url)}\" rel=\"noreferrer\">{text}</a>";
    }

    public const string Css = """
        :root{--ink:#1d2433;--muted:#5b6475;--line:#d9dee7;--bg:#f6f7f9;--crit:#8b0000;--high:#c0392b;--mod:#b9770e;--low:#1e7d45;--info:#4a6fa5}
        *{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);background:var(--bg)}
        main{max-width:1040px;margin:0 auto;padding:24px}
        a{color:#1f4fa3}h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
        h3{font-size:16px;margin:18px 0 6px}h4{font-size:15px;margin:0 0 6px}
        .meta{color:var(--muted);font-size:13px;margin:2px 0}
        .memo{background:#fff;border:1px solid var(--line);border-radius:8px;padding:24px 28px}
        .verdict{display:flex;gap:14px;align-items:center;margin:12px 0;padding:12px 14px;border-radius:6px;border-left:6px solid var(--muted);background:#f2f4f7}
        .verdict .rating{font-weight:700;font-size:18px;letter-spacing:.04em;min-width:96px}
        .rating-critical{border-color:var(--crit)}.rating-critical .rating{color:var(--crit)}
        .rating-high{border-color:var(--high)}.rating-high .rating{color:var(--high)}
        .rating-moderate{border-color:var(--mod)}.rating-moderate .rating{color:var(--mod)}
        .rating-low{border-color:var(--low)}.rating-low .rating{color:var(--low)}
        .finding{border:1px solid var(--line);border-left:5px solid var(--info);border-radius:6px;padding:10px 14px;margin:10px 0}
        .finding.sev-critical{border-left-color:var(--crit)}.finding.sev-high{border-left-color:var(--high)}.finding.sev-moderate{border-left-color:var(--mod)}
        .finding p{margin:6px 0}.finding code{font-size:12px;color:var(--muted)}
        .badge{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;padding:1px 7px;border-radius:10px;color:#fff;background:var(--info);vertical-align:2px}
        .badge.sev-critical{background:var(--crit)}.badge.sev-high{background:var(--high)}.badge.sev-moderate{background:var(--mod)}.badge.sev-low{background:var(--low)}
        table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:14px}
        th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}th{background:#f2f4f7;font-weight:600}
        tr.flagged td{background:#fdf1ef}tr.open td{background:#fff9e8}tr.due-overdue td{background:#fdf1ef}tr.due-duesoon td{background:#fff9e8}
        td.answer{font-weight:600}td.date{white-space:nowrap}table.appendix{font-size:13px}table.appendix td:last-child{white-space:nowrap}table.appendix td:first-child{width:2.5em}small{color:var(--muted)}
        dl.profile{display:grid;grid-template-columns:220px 1fr;gap:4px 12px;margin:0}dl.profile dt{color:var(--muted)}dl.profile dd{margin:0}
        pre.message{white-space:pre-wrap;background:#f6f7f9;border:1px solid var(--line);border-radius:6px;padding:12px;font:14px/1.5 ui-monospace,Consolas,monospace}
        details>summary{cursor:pointer}details>summary h2{display:inline;border:0}
        .open-items .status{color:var(--muted);font-size:13px}
        """;
}
