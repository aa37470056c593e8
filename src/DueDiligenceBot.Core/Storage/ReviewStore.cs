using System.Data.Common;
using System.Text.Json;
using Dapper;
using DueDiligenceBot.Core.Checklist;

namespace DueDiligenceBot.Core.Storage;

public sealed class VendorRow
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string NameKey { get; set; } = "";
    public string CreatedAt { get; set; } = "";
}

public sealed class ReviewRow
{
    public long Id { get; set; }
    public long VendorId { get; set; }
    public int Number { get; set; }
    public string Status { get; set; } = "";
    public string StartedAt { get; set; } = "";
    public string StartedBy { get; set; } = "";
    public string? CompletedAt { get; set; }
    public bool IsComplete => Status == ReviewStatus.Complete;
}

public static class ReviewStatus
{
    public const string InProgress = "in_progress";
    public const string Complete = "complete";
}

public static class AnswerStatus
{
    public const string Answered = "answered";
    public const string Skipped = "skipped";
}

/// <summary>One stored answer: what was said, by whom, when and where. Rows are never updated.</summary>
public sealed class AnswerRow
{
    public long Id { get; set; }
    public long ReviewId { get; set; }
    public string QuestionKey { get; set; } = "";
    public string Status { get; set; } = "";
    public string? ValueJson { get; set; }
    public string UserId { get; set; } = "";
    public string UserName { get; set; } = "";
    public string Channel { get; set; } = "";
    public string AnsweredAt { get; set; } = "";

    public bool IsSkipped => Status == AnswerStatus.Skipped;

    private JsonElement? _value;

    public JsonElement Value => _value ??= ValueJson is null
        ? JsonSerializer.SerializeToElement<object?>(null)
        : JsonSerializer.Deserialize<JsonElement>(ValueJson);
}

public sealed class VendorSummaryRow
{
    public long VendorId { get; set; }
    public string Name { get; set; } = "";
    public long? ReviewId { get; set; }
    public int? ReviewNumber { get; set; }
    public string? Status { get; set; }
    public string? StartedAt { get; set; }
    public string? CompletedAt { get; set; }
    public int AnsweredKeys { get; set; }
}

/// <summary>
/// The SQL of vendors, reviews, answers and the audit log. Every method runs inside the caller's
/// transaction, so a turn's writes land together or not at all. The SQL is valid for SQLite and PostgreSQL.
/// </summary>
public static class ReviewStore
{
    public const int MaxVendorNameLength = 100;

    public static string NameKey(string name) =>
        string.Join(' ', name.Trim().ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public static Task<VendorRow?> FindVendorAsync(DbTransaction tx, string name) =>
        tx.Connection!.QuerySingleOrDefaultAsync<VendorRow>(
            "SELECT id, name, name_key, created_at FROM vendors WHERE name_key = @Key", new { Key = NameKey(name) }, tx);

    public static Task<VendorRow?> GetVendorAsync(DbTransaction tx, long id) =>
        tx.Connection!.QuerySingleOrDefaultAsync<VendorRow>(
            "SELECT id, name, name_key, created_at FROM vendors WHERE id = @Id", new { Id = id }, tx);

    public static async Task<VendorRow> GetOrCreateVendorAsync(DbTransaction tx, string name, DateTimeOffset now)
    {
        var existing = await FindVendorAsync(tx, name);
        if (existing is not null) return existing;
        var display = string.Join(' ', name.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var id = await tx.Connection!.ExecuteScalarAsync<long>(
            "INSERT INTO vendors (name, name_key, created_at) VALUES (@Name, @Key, @At) RETURNING id",
            new { Name = display, Key = NameKey(display), At = now.ToString("O") }, tx);
        return new VendorRow { Id = id, Name = display, NameKey = NameKey(display), CreatedAt = now.ToString("O") };
    }

    public static Task<ReviewRow?> LatestReviewAsync(DbTransaction tx, long vendorId) =>
        tx.Connection!.QuerySingleOrDefaultAsync<ReviewRow>(
            """
            SELECT id, vendor_id, number, status, started_at, started_by, completed_at
            FROM reviews WHERE vendor_id = @VendorId ORDER BY number DESC LIMIT 1
            """, new { VendorId = vendorId }, tx);

    public static Task<ReviewRow?> GetReviewAsync(DbTransaction tx, long reviewId) =>
        tx.Connection!.QuerySingleOrDefaultAsync<ReviewRow>(
            "SELECT id, vendor_id, number, status, started_at, started_by, completed_at FROM reviews WHERE id = @Id",
            new { Id = reviewId }, tx);

    public static async Task<IReadOnlyList<ReviewRow>> ReviewsAsync(DbTransaction tx, long vendorId) =>
        (await tx.Connection!.QueryAsync<ReviewRow>(
            """
            SELECT id, vendor_id, number, status, started_at, started_by, completed_at
            FROM reviews WHERE vendor_id = @VendorId ORDER BY number
            """, new { VendorId = vendorId }, tx)).AsList();

    public static async Task<ReviewRow> CreateReviewAsync(DbTransaction tx, long vendorId, string startedBy, DateTimeOffset now)
    {
        var number = 1 + await tx.Connection!.ExecuteScalarAsync<int>(
            "SELECT COALESCE(MAX(number), 0) FROM reviews WHERE vendor_id = @VendorId", new { VendorId = vendorId }, tx);
        var id = await tx.Connection!.ExecuteScalarAsync<long>(
            """
            INSERT INTO reviews (vendor_id, number, status, started_at, started_by)
            VALUES (@VendorId, @Number, @Status, @At, @By) RETURNING id
            """, new { VendorId = vendorId, Number = number, Status = ReviewStatus.InProgress, At = now.ToString("O"), By = startedBy }, tx);
        return new ReviewRow { Id = id, VendorId = vendorId, Number = number, Status = ReviewStatus.InProgress, StartedAt = now.ToString("O"), StartedBy = startedBy };
    }

    public static Task CompleteReviewAsync(DbTransaction tx, long reviewId, DateTimeOffset now) =>
        tx.Connection!.ExecuteAsync(
            "UPDATE reviews SET status = @Status, completed_at = @At WHERE id = @Id AND status <> @Status",
            new { Id = reviewId, Status = ReviewStatus.Complete, At = now.ToString("O") }, tx);

    /// <summary>The newest row per question of a review: the current answer or skip.</summary>
    public static async Task<IReadOnlyDictionary<string, AnswerRow>> CurrentAnswersAsync(DbTransaction tx, long reviewId) =>
        (await tx.Connection!.QueryAsync<AnswerRow>(
            """
            SELECT a.id, a.review_id, a.question_key, a.status, a.value_json, a.user_id, a.user_name, a.channel, a.answered_at
            FROM answers a
            JOIN (SELECT question_key, MAX(id) AS id FROM answers WHERE review_id = @ReviewId GROUP BY question_key) latest
              ON a.id = latest.id
            """, new { ReviewId = reviewId }, tx)).ToDictionary(a => a.QuestionKey, StringComparer.Ordinal);

    /// <summary>Every row of a review in the order it was written, corrections included.</summary>
    public static async Task<IReadOnlyList<AnswerRow>> AnswerHistoryAsync(DbTransaction tx, long reviewId) =>
        (await tx.Connection!.QueryAsync<AnswerRow>(
            """
            SELECT id, review_id, question_key, status, value_json, user_id, user_name, channel, answered_at
            FROM answers WHERE review_id = @ReviewId ORDER BY id
            """, new { ReviewId = reviewId }, tx)).AsList();

    private const string InsertAnswerSql = """
        INSERT INTO answers (review_id, question_key, status, value_json, user_id, user_name, channel, answered_at)
        VALUES (@ReviewId, @Key, @Status, @Value, @UserId, @UserName, @Channel, @At)
        """;

    private const string InsertAuditSql = """
        INSERT INTO audit_log (at, actor_id, actor_name, channel, action, vendor_id, review_id, detail)
        VALUES (@At, @UserId, @UserName, @Channel, @Action, @VendorId, @ReviewId, @Detail)
        """;

    private static object AnswerParameters(long reviewId, string key, string status, JsonElement? value, Actor actor, string at) =>
        new { ReviewId = reviewId, Key = key, Status = status, Value = value is { } v ? v.GetRawText() : null, actor.UserId, actor.UserName, actor.Channel, At = at };

    private static object AuditParameters(Actor actor, string action, long? vendorId, long? reviewId, string? detail, string at) =>
        new { At = at, actor.UserId, actor.UserName, actor.Channel, Action = action, VendorId = vendorId, ReviewId = reviewId, Detail = detail };

    public static Task AddAnswerAsync(DbTransaction tx, long reviewId, string key, string status, JsonElement? value,
        Actor actor, DateTimeOffset now) =>
        tx.Connection!.ExecuteAsync(InsertAnswerSql, AnswerParameters(reviewId, key, status, value, actor, now.ToString("O")), tx);

    /// <summary>
    /// Adds an answer (or skip) and its audit line in one command: one round trip to PostgreSQL instead of two.
    /// </summary>
    public static Task AddAnswerWithAuditAsync(DbTransaction tx, long vendorId, long reviewId, string key, string status, JsonElement? value,
        Actor actor, string auditAction, DateTimeOffset now) =>
        tx.Connection!.ExecuteAsync(
            InsertAnswerSql + ";\n" + InsertAuditSql,
            new
            {
                ReviewId = reviewId, VendorId = vendorId, Key = key, Status = status,
                Value = value is { } v ? v.GetRawText() : null,
                actor.UserId, actor.UserName, actor.Channel, Action = auditAction, Detail = key, At = now.ToString("O"),
            }, tx);

    /// <summary>Defers an answer (or skip) and its audit line to the turn's state save; see <see cref="DeferredInserts"/>.</summary>
    public static void DeferAnswerWithAudit(DeferredInserts inserts, long vendorId, long reviewId, string key, string status, JsonElement? value,
        Actor actor, string auditAction, DateTimeOffset now)
    {
        var at = now.ToString("O");
        inserts.Add(InsertAnswerSql, AnswerParameters(reviewId, key, status, value, actor, at));
        inserts.Add(InsertAuditSql, AuditParameters(actor, auditAction, vendorId, reviewId, key, at));
    }

    /// <summary>A review, its vendor and its current answers, in one round trip.</summary>
    public static async Task<(ReviewRow Review, VendorRow Vendor, IReadOnlyDictionary<string, AnswerRow> Answers)?> GetReviewWithAnswersAsync(DbTransaction tx, long reviewId)
    {
        using var grid = await tx.Connection!.QueryMultipleAsync(
            """
            SELECT r.id, r.vendor_id, r.number, r.status, r.started_at, r.started_by, r.completed_at,
                   v.name AS vendor_name, v.name_key AS vendor_name_key, v.created_at AS vendor_created_at
            FROM reviews r JOIN vendors v ON v.id = r.vendor_id WHERE r.id = @ReviewId;
            SELECT a.id, a.review_id, a.question_key, a.status, a.value_json, a.user_id, a.user_name, a.channel, a.answered_at
            FROM answers a
            JOIN (SELECT question_key, MAX(id) AS id FROM answers WHERE review_id = @ReviewId GROUP BY question_key) latest
              ON a.id = latest.id;
            """, new { ReviewId = reviewId }, tx);
        var head = await grid.ReadSingleOrDefaultAsync<ReviewWithVendorRow>();
        var answers = (await grid.ReadAsync<AnswerRow>()).ToDictionary(a => a.QuestionKey, StringComparer.Ordinal);
        if (head is null) return null;
        var review = new ReviewRow
        {
            Id = head.Id, VendorId = head.VendorId, Number = head.Number, Status = head.Status,
            StartedAt = head.StartedAt, StartedBy = head.StartedBy, CompletedAt = head.CompletedAt,
        };
        return (review, new VendorRow { Id = head.VendorId, Name = head.VendorName, NameKey = head.VendorNameKey, CreatedAt = head.VendorCreatedAt }, answers);
    }

    private sealed class ReviewWithVendorRow
    {
        public long Id { get; set; }
        public long VendorId { get; set; }
        public int Number { get; set; }
        public string Status { get; set; } = "";
        public string StartedAt { get; set; } = "";
        public string StartedBy { get; set; } = "";
        public string? CompletedAt { get; set; }
        public string VendorName { get; set; } = "";
        public string VendorNameKey { get; set; } = "";
        public string VendorCreatedAt { get; set; } = "";
    }

    public static AnswerSet ToAnswerSet(IReadOnlyDictionary<string, AnswerRow> current) =>
        new(current.Values.Where(a => !a.IsSkipped).Select(a => new KeyValuePair<string, JsonElement>(a.QuestionKey, a.Value)));

    public static async Task<IReadOnlyList<VendorSummaryRow>> VendorSummariesAsync(DbTransaction tx) =>
        (await tx.Connection!.QueryAsync<VendorSummaryRow>(
            """
            SELECT v.id AS vendor_id, v.name, r.id AS review_id, r.number AS review_number, r.status, r.started_at, r.completed_at,
                   (SELECT COUNT(DISTINCT a.question_key) FROM answers a WHERE a.review_id = r.id AND a.status = 'answered') AS answered_keys
            FROM vendors v
            LEFT JOIN reviews r ON r.vendor_id = v.id AND r.number = (SELECT MAX(number) FROM reviews WHERE vendor_id = v.id)
            ORDER BY v.name_key
            """, transaction: tx)).AsList();

    public static Task AuditAsync(DbTransaction tx, Actor actor, string action, long? vendorId, long? reviewId, string? detail, DateTimeOffset now) =>
        tx.Connection!.ExecuteAsync(InsertAuditSql, AuditParameters(actor, action, vendorId, reviewId, detail, now.ToString("O")), tx);
}

/// <summary>Who did something, and through which channel.</summary>
public sealed record Actor(string UserId, string UserName, string Channel);
