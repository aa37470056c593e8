using System.Globalization;
using System.Text;
using DueDiligenceBot.Core.Memo;
using DueDiligenceBot.Core.Storage;
using Microsoft.AspNetCore.Antiforgery;
using static DueDiligenceBot.Core.Memo.MemoHtml;

namespace DueDiligenceBot.Review;

/// <summary>The server-rendered review pages. Everything a vendor or user typed goes through <see cref="MemoHtml.E"/>.</summary>
public static class ReviewPages
{
    /// <summary>The signed-in person looking at a page.</summary>
    public sealed record ViewerInfo(string Id, string Name, bool IsReviewer);

    public static string VendorList(IReadOnlyList<VendorListRow> rows, int total, int page, int pageSize, string? q, DateOnly today)
    {
        var sb = new StringBuilder();
        sb.Append("<h1>Vendors</h1>");
        sb.Append(CultureInfo.InvariantCulture, $"<form class=\"search\" method=\"get\" action=\"/vendors\"><input type=\"search\" name=\"q\" value=\"{E(q)}\" placeholder=\"Filter by name\" aria-label=\"Filter by name\"><button>Filter</button></form>");
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">{total:N0} vendor{(total == 1 ? "" : "s")}{(string.IsNullOrWhiteSpace(q) ? "" : $" matching “{E(q)}”")}. Start a review in chat with <code>start review &lt;vendor&gt;</code>, or send answers to <code>PUT /api/vendors/{{vendor}}/answers</code>.</p>");
        if (rows.Count == 0)
        {
            sb.Append("<p>No vendors yet.</p>");
            return Layout("Vendors", sb.ToString());
        }
        sb.Append("<table class=\"vendors\"><thead><tr><th>Vendor</th><th>Rating</th><th>Review status</th><th>Last review</th><th>What is due</th></tr></thead><tbody>");
        foreach (var r in rows)
        {
            var memoIsCurrent = r.MemoReviewId is not null && r.MemoReviewId == r.ReviewId;
            var rating = r.Rating is null ? "<span class=\"meta\">—</span>"
                : $"<span class=\"pill rating-{E(r.Rating)}\">{E(r.Rating)}</span>{(memoIsCurrent ? "" : " <small>(previous review)</small>")}";
            var status = r.ReviewStatus switch
            {
                null => "no review yet",
                ReviewStatus.InProgress => $"review {r.ReviewNumber} in progress",
                _ when r.Decision is not null && memoIsCurrent => Decision.Label(r.Decision),
                _ => "awaiting decision",
            };
            var last = Day(r.CompletedAt ?? r.StartedAt);
            var due = "—";
            if (r.NextDueOn is { } d && DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                var cls = date <= today ? "overdue" : date <= today.AddDays(90) ? "soon" : "later";
                due = $"<span class=\"due-{cls}\">{(date <= today ? "overdue: " : "")}{E(r.NextDueWhat)} ({date:yyyy-MM-dd})</span>";
            }
            sb.Append(CultureInfo.InvariantCulture,
                $"<tr data-vendor=\"{E(r.Name)}\"><td><a href=\"{E(ReviewMemoService.PagePath(r.Name))}\">{E(r.Name)}</a></td><td>{rating}</td><td class=\"status\">{E(status)}</td><td>{last}</td><td>{due}</td></tr>");
        }
        sb.Append("</tbody></table>");
        var pages = (total + pageSize - 1) / pageSize;
        if (pages > 1)
        {
            var qs = string.IsNullOrWhiteSpace(q) ? "" : $"&q={Uri.EscapeDataString(q)}";
            sb.Append("<nav class=\"pager\">");
            if (page > 1) sb.Append(CultureInfo.InvariantCulture, $"<a href=\"/vendors?page={page - 1}{E(qs)}\">← previous</a> ");
            sb.Append(CultureInfo.InvariantCulture, $"<span>page {page} of {pages}</span>");
            if (page < pages) sb.Append(CultureInfo.InvariantCulture, $" <a href=\"/vendors?page={page + 1}{E(qs)}\">next →</a>");
            sb.Append("</nav>");
        }
        return Layout("Vendors", sb.ToString());
    }

    public static string MemoPage(MemoView v, AntiforgeryTokenSet tokens, IReadOnlyList<string> problems, DecisionForm? form, ViewerInfo viewer)
    {
        var sb = new StringBuilder();
        var path = ReviewMemoService.PagePath(v.Vendor.Name);
        sb.Append("<nav class=\"crumbs\"><a href=\"/vendors\">← All vendors</a></nav>");

        // Status box: what state the vendor is in, before the memo itself.
        var latestDecision = v.Latest is null ? null : v.Decisions.FirstOrDefault(d => d.MemoVersionId == v.Latest.Id);
        sb.Append("<section class=\"statusbox\" id=\"decision\">");
        if (!v.Review.IsComplete)
            sb.Append(CultureInfo.InvariantCulture, $"<p><b>Status:</b> <span data-testid=\"status\">review {v.Review.Number} in progress</span>. This is a draft memo computed from the answers so far; it can be decided on once the review is complete.</p>");
        else if (latestDecision is not null)
            sb.Append(CultureInfo.InvariantCulture, $"<p><b>Status:</b> <span data-testid=\"status\" class=\"decision-{E(latestDecision.Decision)}\">{E(Decision.Label(latestDecision.Decision))}</span> by {E(latestDecision.Reviewer)} on {Day(latestDecision.DecidedAt)} (memo version {latestDecision.Version}){(latestDecision.Conditions is { Length: > 0 } c ? $": <q>{E(c)}</q>" : ".")}</p>");
        else
            sb.Append(CultureInfo.InvariantCulture, $"<p><b>Status:</b> <span data-testid=\"status\">awaiting decision</span> on memo version {v.Latest?.Version}.</p>");
        if (v.Shown is not null && v.Latest is not null && v.Shown.Version != v.Latest.Version)
            sb.Append(CultureInfo.InvariantCulture, $"<p class=\"warn\">You are reading version {v.Shown.Version}; the latest is <a href=\"{E(path)}\">version {v.Latest.Version}</a>.</p>");
        var version = v.Shown?.Version;
        var vq = version is int n ? $"?version={n}" : "";
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">Download: <a href=\"{E(path)}/memo.docx{vq}\">Word (.docx)</a> · <a href=\"{E(path)}/memo.md{vq}\">Markdown</a> · <a href=\"{E(path)}/memo.json{vq}\">JSON</a></p>");
        if (v.Versions.Count > 0)
        {
            sb.Append("<p class=\"meta\">Versions: ");
            sb.Append(string.Join(" · ", v.Versions.Select(x =>
                x.Version == version
                    ? $"<b>v{x.Version}</b> ({x.AsOf}, {E(x.Rating)})"
                    : $"<a href=\"{E(path)}?version={x.Version}\">v{x.Version}</a> ({x.AsOf}, {E(x.Rating)})")));
            sb.Append("</p>");
        }
        sb.Append("</section>");

        sb.Append(Fragment(v.Memo));

        if (v.Review.IsComplete && v.Latest is not null && (v.Shown is null || v.Shown.Version == v.Latest.Version))
        {
            if (viewer.IsReviewer) sb.Append(DecisionForm(path, v.Latest.Version, tokens, problems, form, viewer));
            else sb.Append("<section class=\"decide\"><h2>Decision</h2><p>Approving or rejecting a vendor is reserved for the security reviewers listed in <code>Review:Reviewers</code>.</p></section>");
        }
        if (v.Decisions.Count > 0)
        {
            sb.Append("<section class=\"history\"><h2>Decision history</h2><table><thead><tr><th>When</th><th>Version</th><th>Decision</th><th>Reviewer</th><th>Conditions or reason</th></tr></thead><tbody>");
            foreach (var d in v.Decisions)
                sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(d.DecidedAt[..Math.Min(16, d.DecidedAt.Length)].Replace('T', ' '))} UTC</td><td>v{d.Version}</td><td>{E(Decision.Label(d.Decision))}</td><td>{E(d.Reviewer)}</td><td>{E(d.Conditions)}</td></tr>");
            sb.Append("</tbody></table></section>");
        }
        return Layout($"Risk memo: {v.Vendor.Name}", sb.ToString());
    }

    private static string DecisionForm(string path, int version, AntiforgeryTokenSet tokens, IReadOnlyList<string> problems, DecisionForm? form, ViewerInfo viewer)
    {
        string Checked(string value) => form?.Decision == value ? " checked" : "";
        var sb = new StringBuilder();
        sb.Append("<section class=\"decide\"><h2>Record a decision</h2>");
        if (problems.Count > 0)
        {
            sb.Append("<div class=\"problems\" role=\"alert\"><ul>");
            foreach (var p in problems) sb.Append(CultureInfo.InvariantCulture, $"<li>{E(p)}</li>");
            sb.Append("</ul></div>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"{E(path)}/decision\">");
        sb.Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken)}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"version\" value=\"{version}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">You are signed in as <b data-testid=\"reviewer\">{E(viewer.Name)}</b>; your decision is recorded with your name and the time, and applies to memo version {version} as shown above.</p>");
        sb.Append("<fieldset><legend>Decision</legend>");
        sb.Append(CultureInfo.InvariantCulture, $"<label><input type=\"radio\" name=\"decision\" value=\"{Decision.Approved}\"{Checked(Decision.Approved)} required> Approve</label>");
        sb.Append(CultureInfo.InvariantCulture, $"<label><input type=\"radio\" name=\"decision\" value=\"{Decision.ApprovedWithConditions}\"{Checked(Decision.ApprovedWithConditions)}> Approve with conditions</label>");
        sb.Append(CultureInfo.InvariantCulture, $"<label><input type=\"radio\" name=\"decision\" value=\"{Decision.Rejected}\"{Checked(Decision.Rejected)}> Reject</label>");
        sb.Append("</fieldset>");
        sb.Append(CultureInfo.InvariantCulture, $"<label class=\"block\">Conditions (for approval with conditions) or reason (for rejection)<textarea name=\"conditions\" rows=\"4\" maxlength=\"{ReviewMemoService.MaxConditionsLength}\">{E(form?.Conditions)}</textarea></label>");
        sb.Append("<button type=\"submit\">Record decision</button></form></section>");
        return sb.ToString();
    }

    public static string NotFound(string vendor) =>
        Layout("Not found", $"<nav class=\"crumbs\"><a href=\"/vendors\">← All vendors</a></nav><h1>No review of “{E(vendor)}”</h1><p>Start one in chat with <code>start review {E(vendor)}</code>.</p>");

    public static string Message(string title, string text) =>
        Layout(title, $"<nav class=\"crumbs\"><a href=\"/vendors\">← All vendors</a></nav><h1>{E(title)}</h1><p>{E(text)}</p>");

    private static string Day(string? iso) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var d) ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "—";

    private static string Layout(string title, string body) =>
        $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{E(title)} · DueDiligenceBot</title><style>{Css}{PageCss}</style></head>
        <body><header class="top"><a href="/vendors">DueDiligenceBot · Vendor reviews</a><a href="/">Web chat</a></header><main>{body}</main></body></html>
        """;

    private const string PageCss = """
        header.top{display:flex;gap:20px;padding:10px 24px;background:#1d2433}header.top a{color:#fff;text-decoration:none;font-weight:600}
        .crumbs{margin-bottom:10px}.search{margin:8px 0}.search input{padding:6px 8px;width:280px;border:1px solid var(--line);border-radius:4px}
        button{padding:6px 14px;border:1px solid #1f4fa3;background:#1f4fa3;color:#fff;border-radius:4px;cursor:pointer;font:inherit}
        table.vendors{background:#fff}.pill{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:700;text-transform:uppercase;color:#fff;background:var(--muted)}
        .pill.rating-critical{background:var(--crit)}.pill.rating-high{background:var(--high)}.pill.rating-moderate{background:var(--mod)}.pill.rating-low{background:var(--low)}
        .due-overdue{color:var(--high);font-weight:600}.due-soon{color:var(--mod)}
        .statusbox{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 16px;margin-bottom:14px}.statusbox p{margin:4px 0}
        .decision-approved{color:var(--low);font-weight:700}.decision-approved_with_conditions{color:var(--mod);font-weight:700}.decision-rejected{color:var(--high);font-weight:700}
        .warn{color:var(--high)}
        .decide,.history{background:#fff;border:1px solid var(--line);border-radius:8px;padding:4px 20px 16px;margin-top:16px}
        .decide fieldset{border:0;padding:0;margin:8px 0;display:flex;gap:18px}.decide label.block{display:block;margin:10px 0}
        .decide textarea,.decide input[type=text]{display:block;width:100%;max-width:640px;margin-top:4px;padding:6px 8px;border:1px solid var(--line);border-radius:4px;font:inherit}
        .problems{background:#fdf1ef;border:1px solid #e6b8b0;border-radius:6px;padding:4px 12px;color:#7a1d12}
        .pager{margin:12px 0}
        """;
}
