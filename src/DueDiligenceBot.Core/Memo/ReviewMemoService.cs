using System.Data.Common;
using System.Globalization;
using System.Text;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Core.Memo;

/// <summary>What became of a reviewer's decision.</summary>
public abstract record DecisionOutcome
{
    public sealed record Recorded(int Version) : DecisionOutcome;
    public sealed record Invalid(IReadOnlyList<string> Problems) : DecisionOutcome;
    /// <summary>A newer memo version exists; the reviewer should read it first.</summary>
    public sealed record Stale(int LatestVersion) : DecisionOutcome;
}

/// <summary>A memo version as stored, with its document.</summary>
public sealed record StoredMemo(MemoVersionRow Row, MemoDocument Memo);

/// <summary>
/// Generates, versions and summarises risk memos. A completed review gets a stored memo version (and a new
/// one whenever its answers change); a review in progress gets a live draft that is never stored.
/// </summary>
public sealed class ReviewMemoService(
    MemoBuilder builder,
    IMemoNarrator narrator,
    IDbConnectionFactory db,
    TimeProvider clock,
    IOptions<ReviewOptions> reviewOptions,
    ILogger<ReviewMemoService> logger) : IReviewMemo
{
    private static readonly TimeSpan NarrativeTimeout = TimeSpan.FromSeconds(20);
    // Stored versions this process has already asked the model about: a rejected or failed narrative is not
    // retried on every page view (each try may wait Llm:TimeoutSeconds). A restart allows one more try.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, byte> _narrationTried = new();
    private readonly string _baseUrl = reviewOptions.Value.PublicBaseUrl.TrimEnd('/');

    public MemoBuilder Builder => builder;

    public static string PagePath(string vendorName) => "/vendors/" + Uri.EscapeDataString(vendorName);

    // ----- IReviewMemo ------------------------------------------------------------------------------

    public async Task<IReadOnlyList<BotReply>> OnReviewCompletedAsync(DbTransaction tx, VendorRow vendor, ReviewRow review, CancellationToken ct)
    {
        var stored = await EnsureVersionAsync(tx, vendor, review, review.StartedBy, ct);
        return [Summary(stored.Memo, null, $"The risk memo for {vendor.Name} is ready (version {stored.Row.Version}).")];
    }

    public async Task<BotReply> SummaryAsync(DbTransaction tx, VendorRow vendor, ReviewRow review, CancellationToken ct)
    {
        if (!review.IsComplete)
        {
            var draft = await LiveAsync(tx, vendor, review, Today(), ct);
            return Summary(draft, null, $"Draft risk memo for {vendor.Name}: review {review.Number} is still in progress, so this is not final.");
        }
        var stored = await EnsureVersionAsync(tx, vendor, review, "memo", ct);
        var decision = await MemoStore.LatestDecisionOfReviewAsync(tx, review.Id);
        return Summary(stored.Memo, decision, null);
    }

    private BotReply Summary(MemoDocument m, DecisionRow? decision, string? intro)
    {
        var sb = new StringBuilder();
        if (intro is not null) sb.AppendLine(intro);
        sb.AppendLine(CultureInfo.InvariantCulture, $"Risk memo for {m.Vendor} ({MemoMarkdown.Header(m)}): rating {m.Rating.Id().ToUpperInvariant()}.");
        sb.AppendLine(m.Recommendation);
        var top = m.AllFindings.OrderByDescending(f => f.Severity).Take(5).ToList();
        if (top.Count > 0)
        {
            sb.AppendLine("Top findings:");
            foreach (var f in top) sb.AppendLine(CultureInfo.InvariantCulture, $"- [{f.Severity.Id()}] {f.Title}");
            var more = m.AllFindings.Count() - top.Count;
            if (more > 0) sb.AppendLine(CultureInfo.InvariantCulture, $"- …and {more} more in the memo");
        }
        if (m.Open.Count > 0)
            sb.AppendLine(CultureInfo.InvariantCulture, $"Open: {MemoBuilder.Plural(m.Open.Count, "question", "questions")} ({string.Join(", ", m.Open.Take(6).Select(o => o.Number is int n ? $"Q{n}" : o.Key))}{(m.Open.Count > 6 ? ", …" : "")}).");
        if (m.Dates.FirstOrDefault(d => d.Status != DueStatus.Later) is { } due)
            sb.AppendLine(CultureInfo.InvariantCulture, $"Act by {due.Date:yyyy-MM-dd}: {due.What}.");
        if (decision is not null)
            sb.AppendLine(CultureInfo.InvariantCulture, $"Decision: {Decision.Label(decision.Decision)} by {decision.Reviewer} on {decision.DecidedAt[..10]}{(decision.Conditions is { Length: > 0 } c ? $" ({c})" : "")}.");
        var path = PagePath(m.Vendor);
        sb.Append(CultureInfo.InvariantCulture, $"Read the memo and record a decision at {_baseUrl}{path}");
        return new BotReply { Kind = ReplyKind.MemoSummary, Text = sb.ToString(), Link = path };
    }

    // ----- memos from stored reviews ----------------------------------------------------------------

    /// <summary>
    /// The memo of a review computed now from its current answers, with the deterministic summary; not stored.
    /// It runs inside the caller's transaction, so it never calls the model (see <see cref="NarrateStoredAsync(long, CancellationToken)"/>).
    /// </summary>
    public async Task<MemoDocument> LiveAsync(DbTransaction tx, VendorRow vendor, ReviewRow review, DateOnly asOf, CancellationToken ct, int? version = null)
    {
        var input = await InputAsync(tx, vendor, review, asOf, version);
        var (memo, _) = builder.Build(input);
        return memo;
    }

    /// <summary>The stored memo version of a completed review, adding one when there is none or the answers changed since.</summary>
    public async Task<StoredMemo> EnsureVersionAsync(DbTransaction tx, VendorRow vendor, ReviewRow review, string by, CancellationToken ct)
    {
        var fingerprint = await MemoStore.AnswersFingerprintAsync(tx, review.Id);
        var latest = await MemoStore.LatestVersionOfReviewAsync(tx, review.Id);
        if (latest is not null && latest.AnswersFingerprint == fingerprint)
            return new StoredMemo(latest, MemoJson.Deserialize(latest.DocumentJson));

        var version = await MemoStore.NextVersionAsync(tx, vendor.Id);
        var memo = await LiveAsync(tx, vendor, review, ReviewDate(review), ct, version);
        var next = memo.Dates.OrderBy(d => d.Date).FirstOrDefault();
        var now = clock.GetUtcNow();
        var row = await MemoStore.AddVersionAsync(tx, new MemoVersionRow
        {
            VendorId = vendor.Id,
            ReviewId = review.Id,
            Version = version,
            AsOf = memo.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Rating = memo.Rating.Id(),
            FlagIds = string.Join(",", memo.AllFindings.Select(f => f.Id)),
            AnswersFingerprint = fingerprint,
            NextDueOn = next?.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            NextDueWhat = next?.What,
            DocumentJson = MemoJson.Serialize(memo),
            CreatedAt = now.ToString("O"),
            CreatedBy = by,
        });
        await ReviewStore.AuditAsync(tx, new Actor("system", by, "memo"), "memo_version_created", vendor.Id, review.Id,
            $"version {version}, rating {memo.Rating.Id()}", now);
        Log.MemoVersionCreated(logger, vendor.Id, version, memo.Rating.Id());
        return new StoredMemo(row, memo);
    }

    /// <summary>The review date: the day a review completed, or today while it is in progress.</summary>
    public DateOnly ReviewDate(ReviewRow review) =>
        review.CompletedAt is { } c && DateTimeOffset.TryParse(c, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? DateOnly.FromDateTime(at.UtcDateTime)
            : Today();

    public DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    private async Task<MemoInput> InputAsync(DbTransaction tx, VendorRow vendor, ReviewRow review, DateOnly asOf, int? version)
    {
        var current = await ReviewStore.CurrentAnswersAsync(tx, review.Id);
        PreviousReviewInput? previous = null;
        var earlier = (await ReviewStore.ReviewsAsync(tx, vendor.Id)).Where(r => r.Number < review.Number && r.IsComplete).MaxBy(r => r.Number);
        if (earlier is not null)
        {
            var before = await ReviewStore.CurrentAnswersAsync(tx, earlier.Id);
            var decision = await MemoStore.LatestDecisionOfReviewAsync(tx, earlier.Id);
            previous = new PreviousReviewInput(earlier.Number, ReviewDate(earlier), Provenanced(before),
                decision is null ? null : $"{Decision.Label(decision.Decision)} by {decision.Reviewer} on {decision.DecidedAt[..10]}{(decision.Conditions is { Length: > 0 } c ? $" ({c})" : "")}");
        }
        var history = (await ReviewStore.AnswerHistoryAsync(tx, review.Id)).ToDictionary(r => r.Id);
        return new MemoInput(vendor.Name, asOf, review.Number, review.Status, Provenanced(current), previous, version, Provenanced(history.Values));
    }

    private static IReadOnlyList<ProvenancedAnswer> Provenanced(IReadOnlyDictionary<string, AnswerRow> rows) => Provenanced(rows.Values);

    private static IReadOnlyList<ProvenancedAnswer> Provenanced(IEnumerable<AnswerRow> rows) =>
        rows.OrderBy(r => r.Id).Select(r => new ProvenancedAnswer(r.QuestionKey, r.Value, r.IsSkipped, r.UserName, r.Channel,
            DateTimeOffset.TryParse(r.AnsweredAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null)).ToList();

    // ----- decisions ------------------------------------------------------------------------------

    public const int MaxConditionsLength = 4000;
    public const int MaxReviewerLength = 100;

    /// <summary>
    /// Records a reviewer's decision on memo version <paramref name="version"/>, which must be the vendor's
    /// latest: a decision on a memo the reviewer has not seen the newest version of is refused.
    /// </summary>
    public async Task<DecisionOutcome> DecideAsync(DbTransaction tx, VendorRow vendor, int version, string decision, string? conditions, Actor by, CancellationToken ct)
    {
        var reviewer = by.UserName.Trim();
        conditions = string.IsNullOrWhiteSpace(conditions) ? null : conditions.Trim();
        var problems = new List<string>();
        if (decision is not (Decision.Approved or Decision.ApprovedWithConditions or Decision.Rejected))
            problems.Add("Choose approve, approve with conditions, or reject.");
        if (reviewer.Length == 0) problems.Add("Your sign-in carries no name; the decision must be recorded with one.");
        else if (reviewer.Length > MaxReviewerLength || reviewer.Any(char.IsControl)) problems.Add($"The name must be at most {MaxReviewerLength} characters on one line.");
        if (decision == Decision.ApprovedWithConditions && conditions is null) problems.Add("Approving with conditions needs the conditions.");
        if (decision == Decision.Rejected && conditions is null) problems.Add("A rejection needs the reason.");
        if (conditions is { Length: > MaxConditionsLength }) problems.Add($"Keep the text under {MaxConditionsLength:N0} characters.");
        if (problems.Count > 0) return new DecisionOutcome.Invalid(problems);

        var latest = await MemoStore.LatestVersionAsync(tx, vendor.Id);
        if (latest is null) return new DecisionOutcome.Invalid(["There is no memo to decide on yet: the review is still in progress."]);
        if (latest.Version != version) return new DecisionOutcome.Stale(latest.Version);

        var now = clock.GetUtcNow();
        await MemoStore.AddDecisionAsync(tx, new DecisionRow
        {
            MemoVersionId = latest.Id,
            VendorId = vendor.Id,
            Decision = decision,
            Conditions = conditions,
            Reviewer = reviewer,
            DecidedAt = now.ToString("O"),
        });
        await ReviewStore.AuditAsync(tx, by with { UserName = reviewer }, "memo_decision", vendor.Id, latest.ReviewId,
            $"{decision} on version {latest.Version}", now);
        Log.DecisionRecorded(logger, vendor.Id, latest.Version, decision);
        return new DecisionOutcome.Recorded(latest.Version);
    }

    // ----- memos from import files ------------------------------------------------------------------

    /// <summary>The memo of an import file (<c>assess</c>): nothing is stored; provenance is the file.</summary>
    public async Task<MemoDocument> AssessAsync(string vendor, DateOnly asOf, AnswerSet answers, string source, CancellationToken ct)
    {
        var at = new DateTimeOffset(asOf.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var provenanced = answers.Values.Select(kv => new ProvenancedAnswer(kv.Key, kv.Value, false, source, "import", at)).ToList();
        var (memo, _) = builder.Build(new MemoInput(vendor, asOf, null, MemoBuilder.ImportStatus, provenanced));
        return await NarrateAsync(memo, ct);
    }

    // ----- narrative --------------------------------------------------------------------------------

    /// <summary>Whether a model narrator is configured (Llm:Provider is not None).</summary>
    public bool HasNarrator => narrator is not RulesOnlyNarrator;

    /// <inheritdoc />
    public async Task OnReviewCommittedAsync(long reviewId, CancellationToken ct)
    {
        if (!HasNarrator) return;
        await NarrateStoredAsync(reviewId, ct);
    }

    /// <summary>
    /// Outside any transaction: gives the latest stored version of a review the model's summary, if it still has
    /// the deterministic one. Reads in one short transaction, calls the model with no transaction (and so no
    /// SQLite write lock) open, and stores the checked narrative as an update in another short one.
    /// </summary>
    public async Task<MemoDocument?> NarrateStoredAsync(long reviewId, CancellationToken ct)
    {
        if (!HasNarrator) return null;
        MemoVersionRow? row;
        await using (var turn = await db.BeginTurnAsync(ct))
        {
            row = await MemoStore.LatestVersionOfReviewAsync(turn.Transaction, reviewId);
            await turn.CommitAsync(ct);
        }
        return row is null ? null : await NarrateStoredAsync(row, MemoJson.Deserialize(row.DocumentJson), ct);
    }

    /// <summary>
    /// Outside any transaction: the stored version <paramref name="row"/> with the model's summary when one is
    /// configured and passes <see cref="NarrativeCheck"/> (then stored as an update of that version's document,
    /// unless the document changed meanwhile); otherwise <paramref name="memo"/> unchanged.
    /// </summary>
    public async Task<MemoDocument> NarrateStoredAsync(MemoVersionRow row, MemoDocument memo, CancellationToken ct)
    {
        if (!HasNarrator || memo.SummarySource != "rules" || !_narrationTried.TryAdd(row.Id, 0)) return memo;
        var narrated = await NarrateAsync(memo, ct);
        if (narrated.SummarySource == "rules") return memo;
        bool updated;
        await using (var turn = await db.BeginTurnAsync(ct))
        {
            updated = await MemoStore.UpdateDocumentAsync(turn.Transaction, row.Id, row.DocumentJson, MemoJson.Serialize(narrated));
            await turn.CommitAsync(ct);
        }
        if (!updated)
        {
            Log.NarrativeNotStored(logger, row.VendorId, row.Version);
            return memo;
        }
        Log.NarrativeStored(logger, row.VendorId, row.Version);
        return narrated;
    }

    /// <summary>Replaces the deterministic summary with the narrator's, only if it passes <see cref="NarrativeCheck"/>.</summary>
    public async Task<MemoDocument> NarrateAsync(MemoDocument memo, CancellationToken ct)
    {
        string? output;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(NarrativeTimeout);
            output = await narrator.SummariseAsync(memo, timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log.NarrativeFailed(logger, e);
            return memo;
        }
        if (output is null) return memo;
        switch (NarrativeCheck.Check(memo, output))
        {
            case NarrativeVerdict.Accepted ok:
                return memo with { Summary = ok.Summary, SummarySource = "model" };
            case NarrativeVerdict.Rejected no:
                Log.NarrativeRejected(logger, no.Reason);
                return memo;
            default:
                return memo;
        }
    }
}
