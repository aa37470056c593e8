using System.Data.Common;
using Dapper;

namespace DueDiligenceBot.Core.Memo;

public sealed class MemoVersionRow
{
    public long Id { get; set; }
    public long VendorId { get; set; }
    public long ReviewId { get; set; }
    public int Version { get; set; }
    public string AsOf { get; set; } = "";
    public string Rating { get; set; } = "";
    public string FlagIds { get; set; } = "";
    public string AnswersFingerprint { get; set; } = "";
    public string? NextDueOn { get; set; }
    public string? NextDueWhat { get; set; }
    public string DocumentJson { get; set; } = "";
    public string CreatedAt { get; set; } = "";
    public string CreatedBy { get; set; } = "";
}

public static class Decision
{
    public const string Approved = "approved";
    public const string ApprovedWithConditions = "approved_with_conditions";
    public const string Rejected = "rejected";

    public static string Label(string? decision) => decision switch
    {
        Approved => "approved",
        ApprovedWithConditions => "approved with conditions",
        Rejected => "rejected",
        _ => "no decision",
    };
}

public sealed class DecisionRow
{
    public long Id { get; set; }
    public long MemoVersionId { get; set; }
    public long VendorId { get; set; }
    public string Decision { get; set; } = "";
    public string? Conditions { get; set; }
    public string Reviewer { get; set; } = "";
    public string DecidedAt { get; set; } = "";
    public int Version { get; set; }
}

/// <summary>One line of the vendor list: the vendor, its latest review, latest memo version and decision.</summary>
public sealed class VendorListRow
{
    public long VendorId { get; set; }
    public string Name { get; set; } = "";
    public int? ReviewNumber { get; set; }
    public string? ReviewStatus { get; set; }
    public string? StartedAt { get; set; }
    public string? CompletedAt { get; set; }
    public int? MemoVersion { get; set; }
    public long? MemoReviewId { get; set; }
    public long? ReviewId { get; set; }
    public string? Rating { get; set; }
    public string? NextDueOn { get; set; }
    public string? NextDueWhat { get; set; }
    public string? Decision { get; set; }
    public string? DecidedAt { get; set; }
}

/// <summary>The SQL of memo versions and decisions; valid for SQLite and PostgreSQL, inside the caller's transaction.</summary>
public static class MemoStore
{
    private const string VersionColumns =
        "id, vendor_id, review_id, version, as_of, rating, flag_ids, answers_fingerprint, next_due_on, next_due_what, document_json, created_at, created_by";

    public static Task<MemoVersionRow?> LatestVersionAsync(DbTransaction tx, long vendorId) =>
        tx.Connection!.QuerySingleOrDefaultAsync<MemoVersionRow>(
            $"SELECT {VersionColumns} FROM memo_versions WHERE vendor_id = @VendorId ORDER BY version DESC LIMIT 1",
            new { VendorId = vendorId }, tx);

    public static Task<MemoVersionRow?> VersionAsync(DbTransaction tx, long vendorId, int version) =>
        tx.Connection!.QuerySingleOrDefaultAsync<MemoVersionRow>(
            $"SELECT {VersionColumns} FROM memo_versions WHERE vendor_id = @VendorId AND version = @Version",
            new { VendorId = vendorId, Version = version }, tx);

    public static Task<MemoVersionRow?> LatestVersionOfReviewAsync(DbTransaction tx, long reviewId) =>
        tx.Connection!.QuerySingleOrDefaultAsync<MemoVersionRow>(
            $"SELECT {VersionColumns} FROM memo_versions WHERE review_id = @ReviewId ORDER BY version DESC LIMIT 1",
            new { ReviewId = reviewId }, tx);

    /// <summary>Every version of a vendor, newest first, without the documents.</summary>
    public static async Task<IReadOnlyList<MemoVersionRow>> VersionsAsync(DbTransaction tx, long vendorId) =>
        (await tx.Connection!.QueryAsync<MemoVersionRow>(
            """
            SELECT id, vendor_id, review_id, version, as_of, rating, flag_ids, answers_fingerprint, next_due_on, next_due_what, '' AS document_json, created_at, created_by
            FROM memo_versions WHERE vendor_id = @VendorId ORDER BY version DESC
            """, new { VendorId = vendorId }, tx)).AsList();

    public static async Task<int> NextVersionAsync(DbTransaction tx, long vendorId) =>
        1 + await tx.Connection!.ExecuteScalarAsync<int>(
            "SELECT COALESCE(MAX(version), 0) FROM memo_versions WHERE vendor_id = @VendorId", new { VendorId = vendorId }, tx);

    /// <summary>Stores a version; <see cref="MemoVersionRow.Version"/> comes from <see cref="NextVersionAsync"/> in the same transaction.</summary>
    public static async Task<MemoVersionRow> AddVersionAsync(DbTransaction tx, MemoVersionRow row)
    {
        row.Id = await tx.Connection!.ExecuteScalarAsync<long>(
            """
            INSERT INTO memo_versions (vendor_id, review_id, version, as_of, rating, flag_ids, answers_fingerprint, next_due_on, next_due_what, document_json, created_at, created_by)
            VALUES (@VendorId, @ReviewId, @Version, @AsOf, @Rating, @FlagIds, @AnswersFingerprint, @NextDueOn, @NextDueWhat, @DocumentJson, @CreatedAt, @CreatedBy)
            RETURNING id
            """, row, tx);
        return row;
    }

    /// <summary>
    /// Replaces a version's document (its narrative summary) only if it is still <paramref name="expectedJson"/>;
    /// false when another writer changed it first. Rating, flags and the rest of the row never change.
    /// </summary>
    public static async Task<bool> UpdateDocumentAsync(DbTransaction tx, long id, string expectedJson, string documentJson) =>
        await tx.Connection!.ExecuteAsync(
            "UPDATE memo_versions SET document_json = @DocumentJson WHERE id = @Id AND document_json = @ExpectedJson",
            new { Id = id, ExpectedJson = expectedJson, DocumentJson = documentJson }, tx) == 1;

    public static Task AddDecisionAsync(DbTransaction tx, DecisionRow row) =>
        tx.Connection!.ExecuteAsync(
            """
            INSERT INTO memo_decisions (memo_version_id, vendor_id, decision, conditions, reviewer, decided_at)
            VALUES (@MemoVersionId, @VendorId, @Decision, @Conditions, @Reviewer, @DecidedAt)
            """, row, tx);

    public static Task<DecisionRow?> LatestDecisionOfReviewAsync(DbTransaction tx, long reviewId) =>
        tx.Connection!.QuerySingleOrDefaultAsync<DecisionRow>(
            """
            SELECT d.id, d.memo_version_id, d.vendor_id, d.decision, d.conditions, d.reviewer, d.decided_at, m.version
            FROM memo_decisions d JOIN memo_versions m ON m.id = d.memo_version_id
            WHERE m.review_id = @ReviewId ORDER BY d.id DESC LIMIT 1
            """, new { ReviewId = reviewId }, tx);

    /// <summary>A fingerprint of a review's answers: it changes whenever an answer row is added.</summary>
    public static async Task<string> AnswersFingerprintAsync(DbTransaction tx, long reviewId)
    {
        var (count, max) = await tx.Connection!.QuerySingleAsync<(long, long)>(
            "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM answers WHERE review_id = @ReviewId", new { ReviewId = reviewId }, tx);
        return $"review {reviewId}: {count} rows, last {max}";
    }

    public static async Task<IReadOnlyList<DecisionRow>> DecisionsAsync(DbTransaction tx, long vendorId) =>
        (await tx.Connection!.QueryAsync<DecisionRow>(
            """
            SELECT d.id, d.memo_version_id, d.vendor_id, d.decision, d.conditions, d.reviewer, d.decided_at, m.version
            FROM memo_decisions d JOIN memo_versions m ON m.id = d.memo_version_id
            WHERE d.vendor_id = @VendorId ORDER BY d.id DESC
            """, new { VendorId = vendorId }, tx)).AsList();

    public static Task<int> VendorCountAsync(DbTransaction tx, string? nameFilter) =>
        tx.Connection!.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM vendors WHERE @Filter IS NULL OR name_key LIKE @Filter",
            new { Filter = Like(nameFilter) }, tx);

    /// <summary>A page of the vendor list, ordered by name.</summary>
    public static async Task<IReadOnlyList<VendorListRow>> VendorListAsync(DbTransaction tx, string? nameFilter, int skip, int take) =>
        (await tx.Connection!.QueryAsync<VendorListRow>(
            """
            SELECT v.id AS vendor_id, v.name, r.id AS review_id, r.number AS review_number, r.status AS review_status, r.started_at, r.completed_at,
                   m.version AS memo_version, m.review_id AS memo_review_id, m.rating, m.next_due_on, m.next_due_what,
                   d.decision, d.decided_at
            FROM (SELECT id, name, name_key FROM vendors WHERE @Filter IS NULL OR name_key LIKE @Filter ORDER BY name_key LIMIT @Take OFFSET @Skip) v
            LEFT JOIN reviews r ON r.id = (SELECT r2.id FROM reviews r2 WHERE r2.vendor_id = v.id ORDER BY r2.number DESC LIMIT 1)
            LEFT JOIN memo_versions m ON m.id = (SELECT m2.id FROM memo_versions m2 WHERE m2.vendor_id = v.id ORDER BY m2.version DESC LIMIT 1)
            LEFT JOIN memo_decisions d ON d.id = (SELECT d2.id FROM memo_decisions d2 WHERE d2.memo_version_id = m.id ORDER BY d2.id DESC LIMIT 1)
            ORDER BY v.name_key
            """, new { Filter = Like(nameFilter), Skip = skip, Take = take }, tx)).AsList();

    private static string? Like(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) return null;
        var key = Storage.ReviewStore.NameKey(filter).Replace("\\", "", StringComparison.Ordinal).Replace("%", "", StringComparison.Ordinal);
        return "%" + key + "%";
    }
}
