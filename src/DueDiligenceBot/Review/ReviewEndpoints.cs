using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using DueDiligenceBot.Channels;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Memo;
using DueDiligenceBot.Core.Storage;
using DueDiligenceBot.Operations;
using DueDiligenceBot.Security;
using Microsoft.AspNetCore.Antiforgery;

namespace DueDiligenceBot.Review;

/// <summary>
/// The review pages (<c>/vendors</c>, <c>/vendors/{vendor}</c>, decisions) and the review API
/// (<c>PUT /api/vendors/{vendor}/answers</c>, <c>GET /api/vendors/{vendor}/memo</c>).
/// </summary>
public static class ReviewEndpoints
{
    public const string ApiChannel = "api";
    public const string WebChannel = "web";
    public const int PageSize = 100;
    public const int MaxAuditSearchLength = 100;

    public static void MapReview(this WebApplication app)
    {
        // People read memos once signed in; only listed reviewers decide. API clients use a key (or a signed-in session).
        var pages = app.MapGroup("/vendors").RequireAuthorization(AccessExtensions.People);
        pages.MapGet("", ListAsync);
        pages.MapGet("/{vendor}", MemoPageAsync);
        pages.MapGet("/{vendor}/memo.{format}", DownloadAsync);
        pages.MapPost("/{vendor}/decision", DecideAsync).DisableAntiforgery(); // validated explicitly in the handler
        var api = app.MapGroup("/api/vendors").RequireAuthorization(AccessExtensions.Api).RequireRateLimiting(OperationsExtensions.ApiRateLimitPolicy);
        api.MapPut("/{vendor}/answers", PutAnswersAsync);
        api.MapGet("/{vendor}/memo", GetMemoAsync);
    }

    // ----- pages ----------------------------------------------------------------------------------
    // Every read of vendor data writes its audit line in the transaction that reads the data, so nothing is shown
    // without one. A read that finds nothing (404) writes none: it showed no vendor data and there is no vendor id
    // to record, as in the chat (ConversationEngine audits a memo only once the vendor is found).

    private static async Task<IResult> ListAsync(HttpContext http, IDbConnectionFactory db, ReviewMemoService memos, TimeProvider clock, string? q, int? page,
        CancellationToken ct)
    {
        var number = Math.Max(1, page ?? 1);
        await using var turn = await db.BeginTurnAsync(ct);
        var tx = turn.Transaction;
        var total = await MemoStore.VendorCountAsync(tx, q);
        var rows = await MemoStore.VendorListAsync(tx, q, (number - 1) * PageSize, PageSize);
        // The same action as the chat's 'vendors' command; the search, if any, is the detail.
        await ReviewStore.AuditAsync(tx, Reader(http, WebChannel), "vendors_listed", null, null, AuditSearch(q), clock.GetUtcNow());
        await turn.CommitAsync(ct);
        return Html(ReviewPages.VendorList(rows, total, number, PageSize, q, memos.Today()));
    }

    private static async Task<IResult> MemoPageAsync(HttpContext http, string vendor, int? version, IDbConnectionFactory db, ReviewMemoService memos,
        IAntiforgery antiforgery, ReviewerDirectory reviewers, TimeProvider clock, CancellationToken ct)
    {
        vendor = VendorFromRoute(vendor);
        var view = await LoadViewAsync(db, memos, clock, vendor, version, new ViewAudit(Reader(http, WebChannel), "memo_viewed", null), ct);
        if (view is null) return Html(ReviewPages.NotFound(vendor), StatusCodes.Status404NotFound);
        var tokens = antiforgery.GetAndStoreTokens(http);
        return Html(ReviewPages.MemoPage(view, tokens, problems: [], form: null, Viewer(http, reviewers)));
    }

    private static async Task<IResult> DownloadAsync(HttpContext http, string vendor, string format, int? version, IDbConnectionFactory db, ReviewMemoService memos,
        TimeProvider clock, CancellationToken ct)
    {
        vendor = VendorFromRoute(vendor);
        if (format is not ("docx" or "md" or "json")) return Results.NotFound();
        var view = await LoadViewAsync(db, memos, clock, vendor, version, new ViewAudit(Reader(http, WebChannel), "memo_downloaded", format), ct);
        if (view is null) return Results.NotFound();
        return Render(view.Memo, format);
    }

    private static async Task<IResult> DecideAsync(HttpContext http, string vendor, IDbConnectionFactory db, ReviewMemoService memos, IAntiforgery antiforgery,
        ReviewerDirectory reviewers, TimeProvider clock, CancellationToken ct)
    {
        vendor = VendorFromRoute(vendor);
        var viewer = Viewer(http, reviewers);
        try
        {
            await antiforgery.ValidateRequestAsync(http);
        }
        catch (AntiforgeryValidationException)
        {
            return Html(ReviewPages.Message("The form has expired", "Please reload the page and record the decision again."), StatusCodes.Status400BadRequest);
        }
        if (!viewer.IsReviewer)
            return Html(ReviewPages.Message("Only reviewers can decide", "You can read memos, but approving or rejecting a vendor is reserved for the security reviewers listed in Review:Reviewers."), StatusCodes.Status403Forbidden);
        var form = await http.Request.ReadFormAsync(ct);
        var submitted = new DecisionForm(form["decision"].ToString(), viewer.Name, form["conditions"].ToString(),
            int.TryParse(form["version"], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0);

        DecisionOutcome outcome;
        await using (var turn = await db.BeginTurnAsync(ct))
        {
            var row = await ReviewStore.FindVendorAsync(turn.Transaction, vendor);
            if (row is null) return Html(ReviewPages.NotFound(vendor), StatusCodes.Status404NotFound);
            outcome = await memos.DecideAsync(turn.Transaction, row, submitted.Version, submitted.Decision, submitted.Conditions, new Actor(viewer.Id, viewer.Name, WebChannel), ct);
            if (outcome is DecisionOutcome.Recorded) await turn.CommitAsync(ct);
        }
        if (outcome is DecisionOutcome.Recorded)
            return Results.Redirect(ReviewMemoService.PagePath(vendor) + "#decision", permanent: false, preserveMethod: false);

        // The refused decision's transaction is closed (disposed above); showing the page again is a read of its own.
        var view = await LoadViewAsync(db, memos, clock, vendor, null, new ViewAudit(new Actor(viewer.Id, viewer.Name, WebChannel), "memo_viewed", null), ct);
        if (view is null) return Html(ReviewPages.NotFound(vendor), StatusCodes.Status404NotFound);
        var problems = outcome switch
        {
            DecisionOutcome.Invalid i => i.Problems,
            DecisionOutcome.Stale s => [$"A newer memo version ({s.LatestVersion}) exists since you opened the page. Read it, then record your decision again."],
            _ => [],
        };
        var status = outcome is DecisionOutcome.Stale ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
        return Html(ReviewPages.MemoPage(view, antiforgery.GetAndStoreTokens(http), problems, submitted, viewer), status);
    }

    /// <summary>How a memo read is audited: who, the action, and the download format (null for the page).</summary>
    private sealed record ViewAudit(Actor Actor, string Action, string? Format);

    /// <summary>
    /// What the memo page shows: the vendor, the memo (stored version or live draft), versions and decisions;
    /// the read's audit line is written in the same transaction.
    /// </summary>
    private static async Task<MemoView?> LoadViewAsync(IDbConnectionFactory db, ReviewMemoService memos, TimeProvider clock, string vendorName, int? version,
        ViewAudit audit, CancellationToken ct)
    {
        await using var turn = await db.BeginTurnAsync(ct);
        var tx = turn.Transaction;
        var vendor = await ReviewStore.FindVendorAsync(tx, vendorName);
        if (vendor is null) return null;
        var review = await ReviewStore.LatestReviewAsync(tx, vendor.Id);
        if (review is null) return null;

        MemoDocument memo;
        MemoVersionRow? shown = null;
        if (review.IsComplete) await memos.EnsureVersionAsync(tx, vendor, review, "web", ct);
        var versions = await MemoStore.VersionsAsync(tx, vendor.Id);
        if (version is int wanted)
        {
            shown = await MemoStore.VersionAsync(tx, vendor.Id, wanted);
            if (shown is null) return null;
            memo = MemoJson.Deserialize(shown.DocumentJson);
        }
        else if (review.IsComplete)
        {
            shown = await MemoStore.LatestVersionAsync(tx, vendor.Id);
            memo = MemoJson.Deserialize(shown!.DocumentJson);
        }
        else
        {
            memo = await memos.LiveAsync(tx, vendor, review, memos.Today(), ct);
        }
        var decisions = await MemoStore.DecisionsAsync(tx, vendor.Id);
        var what = shown is null ? "draft" : $"version {shown.Version}";
        await ReviewStore.AuditAsync(tx, audit.Actor, audit.Action, vendor.Id, shown?.ReviewId ?? review.Id,
            audit.Format is null ? what : $"{audit.Format}, {what}", clock.GetUtcNow());
        await turn.CommitAsync(ct);
        var latest = versions.FirstOrDefault();
        // A stored version still carrying the deterministic summary gets the model's narrative now, outside the
        // transaction (e.g. a version added because answers changed after completion). No model: unchanged.
        if (shown is not null && latest is not null && shown.Version == latest.Version)
            memo = await memos.NarrateStoredAsync(shown, memo, ct);
        else if (shown is null)
            memo = await memos.NarrateAsync(memo, ct); // a draft: narrated for this view, never stored
        return new MemoView(vendor, review, memo, shown, latest, versions, decisions);
    }

    // ----- API ------------------------------------------------------------------------------------

    private static async Task<IResult> PutAnswersAsync(HttpContext http, HttpRequest request, string vendor, IDbConnectionFactory db, ChecklistDefinition checklist,
        ReviewMemoService memos, TimeProvider clock, CancellationToken ct)
    {
        vendor = VendorFromRoute(vendor);
        if (VendorNameProblem(vendor) is { } problem) return RequestJson.Problem(problem);
        var (body, failure) = await RequestJson.ReadAsync(request, ct);
        if (body is null) return failure!;
        var parsed = AnswerImport.Parse(body.Root, checklist, vendorFromPath: vendor);
        if (parsed is ImportResult.Rejected rejected)
            return Results.Json(new { error = string.Join("; ", rejected.Errors), errors = rejected.Errors }, statusCode: StatusCodes.Status400BadRequest);
        var answers = ((ImportResult.Accepted)parsed).Answers;

        var actor = ApiActor(http);
        var now = clock.GetUtcNow();
        await using var turn = await db.BeginTurnAsync(ct);
        var tx = turn.Transaction;
        var vendorRow = await ReviewStore.GetOrCreateVendorAsync(tx, vendor, now);
        var review = await ReviewStore.LatestReviewAsync(tx, vendorRow.Id);
        var created = false;
        if (review is null || review.IsComplete)
        {
            review = await ReviewStore.CreateReviewAsync(tx, vendorRow.Id, actor.UserName, now);
            await ReviewStore.AuditAsync(tx, actor, "review_started", vendorRow.Id, review.Id, $"review {review.Number}", now);
            created = true;
        }
        var current = await ReviewStore.CurrentAnswersAsync(tx, review.Id);
        var stored = 0;
        foreach (var (key, value) in answers.Values)
        {
            // Re-sending an unchanged answer adds nothing to the history.
            if (current.TryGetValue(key, out var row) && !row.IsSkipped && JsonElement.DeepEquals(row.Value, value)) continue;
            await ReviewStore.AddAnswerAsync(tx, review.Id, key, AnswerStatus.Answered, value, actor, now);
            stored++;
        }
        await ReviewStore.AuditAsync(tx, actor, "answers_imported", vendorRow.Id, review.Id, $"{stored} answers", now);

        current = await ReviewStore.CurrentAnswersAsync(tx, review.Id);
        var set = ReviewStore.ToAnswerSet(current);
        var open = checklist.Questions.Where(q => checklist.IsAsked(q, set) && !current.ContainsKey(q.Key)).Select(q => q.Key).ToList();
        if (open.Count == 0)
        {
            await ReviewStore.CompleteReviewAsync(tx, review.Id, now);
            await ReviewStore.AuditAsync(tx, actor, "review_completed", vendorRow.Id, review.Id, null, now);
            review.Status = ReviewStatus.Complete;
            review.CompletedAt = now.ToString("O");
            await memos.EnsureVersionAsync(tx, vendorRow, review, actor.UserName, ct);
        }
        await turn.CommitAsync(ct);
        // The stored version has the deterministic summary; the model's (if any) is added now, outside the transaction.
        if (open.Count == 0) await memos.NarrateStoredAsync(review.Id, ct);
        var path = Uri.EscapeDataString(vendorRow.Name);
        return Results.Json(new
        {
            vendor = vendorRow.Name,
            review = review.Number,
            newReview = created,
            status = review.Status,
            stored,
            unanswered = open,
            memo = $"/api/vendors/{path}/memo",
            page = $"/vendors/{path}",
        });
    }

    private static async Task<IResult> GetMemoAsync(HttpContext http, string vendor, string? asOf, string? format, IDbConnectionFactory db, ReviewMemoService memos,
        TimeProvider clock, CancellationToken ct)
    {
        vendor = VendorFromRoute(vendor);
        format ??= "json";
        if (format is not ("json" or "md" or "html" or "docx"))
            return RequestJson.Problem($"'format' is '{format}'; accepted: json, md, html, docx");
        DateOnly date;
        if (asOf is null) date = memos.Today();
        else if (!DateOnly.TryParseExact(asOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            return RequestJson.Problem("'asOf' must be a date written YYYY-MM-DD");

        MemoDocument memo;
        await using (var turn = await db.BeginTurnAsync(ct))
        {
            var tx = turn.Transaction;
            var row = await ReviewStore.FindVendorAsync(tx, vendor);
            var review = row is null ? null : await ReviewStore.LatestReviewAsync(tx, row.Id);
            if (row is null || review is null) // nothing read, nothing audited (see the pages above)
                return Results.Json(new { error = $"no review of '{vendor}'" }, statusCode: StatusCodes.Status404NotFound);
            memo = await memos.LiveAsync(tx, row, review, date, ct);
            // The API memo is always computed from the current answers, never a stored version.
            await ReviewStore.AuditAsync(tx, ApiActor(http), "memo_downloaded", row.Id, review.Id,
                $"{format}, live as of {date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}", clock.GetUtcNow());
            await turn.CommitAsync(ct);
        }
        // The model (if any) words the summary after the transaction, so it holds no database lock.
        memo = await memos.NarrateAsync(memo, ct);
        return Render(memo, format);
    }

    private static IResult Render(MemoDocument memo, string format)
    {
        var name = FileName(memo);
        return format switch
        {
            "md" => Results.Text(MemoMarkdown.Render(memo), "text/markdown; charset=utf-8"),
            "html" => Html(MemoHtml.Page(memo)),
            "docx" => Results.File(MemoDocx.Render(memo), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", name + ".docx"),
            _ => Results.Text(MemoJson.Render(memo), "application/json; charset=utf-8"),
        };
    }

    private static string FileName(MemoDocument m)
    {
        var safe = new string(m.Vendor.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return $"risk-memo-{(safe.Length == 0 ? "vendor" : safe)}-{m.AsOf:yyyy-MM-dd}{(m.Version is int v ? $"-v{v}" : "")}";
    }

    /// <summary>The signed-in person (or API client) reading or writing, for the audit log.</summary>
    private static Actor Reader(HttpContext http, string channel)
    {
        var (id, name) = AccessExtensions.Person(http.User);
        return new Actor(id, name, channel);
    }

    /// <summary>The authenticated API client; an integration may name the person it acts for in X-User-Name.</summary>
    private static Actor ApiActor(HttpContext http)
    {
        var client = Reader(http, ApiChannel);
        return HeaderValue(http.Request, "X-User-Name") is { } onBehalfOf ? client with { UserName = onBehalfOf } : client;
    }

    /// <summary>A vendor search as an audit detail: one line, at most <see cref="MaxAuditSearchLength"/> characters.</summary>
    private static string? AuditSearch(string? q)
    {
        if (string.IsNullOrWhiteSpace(q)) return null;
        var line = new string(q.Trim().Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        if (line.Length <= MaxAuditSearchLength) return line;
        var cut = MaxAuditSearchLength - 1;
        if (char.IsHighSurrogate(line[cut - 1])) cut--; // never half a character
        return line[..cut] + "…";
    }

    /// <summary>Who is looking at the page, and whether they may decide.</summary>
    private static ReviewPages.ViewerInfo Viewer(HttpContext http, ReviewerDirectory reviewers)
    {
        var (id, name) = AccessExtensions.Person(http.User);
        return new ReviewPages.ViewerInfo(id, name, reviewers.IsReviewer(http.User));
    }

    // Routing keeps an encoded slash as "%2F" in the value; a vendor called "A/B Health" is linked as A%2FB%20Health.
    private static string VendorFromRoute(string value) =>
        value.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    private static string? HeaderValue(HttpRequest request, string name) =>
        request.Headers[name].ToString() is { Length: > 0 and <= 100 } v && !v.Any(char.IsControl) ? v.Trim() : null;

    private static string? VendorNameProblem(string name)
    {
        var t = name.Trim();
        if (t.Length == 0) return "the vendor name is empty";
        if (t.Length > ReviewStore.MaxVendorNameLength) return $"the vendor name is {t.Length} characters; at most {ReviewStore.MaxVendorNameLength} are accepted";
        if (t.Any(char.IsControl)) return "the vendor name contains control characters";
        if (!t.Any(char.IsLetterOrDigit)) return "the vendor name needs at least one letter or digit";
        return null;
    }

    internal static IResult Html(string html, int status = StatusCodes.Status200OK) =>
        Results.Content(html, "text/html; charset=utf-8", statusCode: status);
}

public sealed record DecisionForm(string Decision, string Reviewer, string Conditions, int Version);

public sealed record MemoView(
    VendorRow Vendor,
    ReviewRow Review,
    MemoDocument Memo,
    MemoVersionRow? Shown,
    MemoVersionRow? Latest,
    IReadOnlyList<MemoVersionRow> Versions,
    IReadOnlyList<DecisionRow> Decisions);
