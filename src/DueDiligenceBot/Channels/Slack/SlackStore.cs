using System.Globalization;
using Dapper;
using DueDiligenceBot.Core.Storage;

namespace DueDiligenceBot.Channels.Slack;

public static class FeedbackRating
{
    public const string Helpful = "helpful";
    public const string NotHelpful = "not_helpful";
}

/// <summary>
/// The Slack tables of migration 0004. De-duplication lives in the database, so a retry that reaches
/// another instance, or this one after a restart, is still recognised.
/// </summary>
public sealed class SlackStore(IDbConnectionFactory db, TimeProvider clock)
{
    /// <summary>Slack retries for up to about five minutes; keep a day so late retries are caught too.</summary>
    public static readonly TimeSpan DeliveryRetention = TimeSpan.FromDays(1);

    /// <summary>True for the first caller with this id, false for every later one.</summary>
    public async Task<bool> TryClaimAsync(string deliveryId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO slack_deliveries (delivery_id, received_at) VALUES (@deliveryId, @at) ON CONFLICT (delivery_id) DO NOTHING",
            new { deliveryId, at = Now() }, cancellationToken: ct));
        return rows == 1;
    }

    /// <summary>Gives a claim back (the work could not be queued), so Slack's retry is taken.</summary>
    public async Task ReleaseAsync(string deliveryId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM slack_deliveries WHERE delivery_id = @deliveryId", new { deliveryId }, cancellationToken: ct));
    }

    public async Task<int> PurgeDeliveriesAsync(CancellationToken ct)
    {
        var before = clock.GetUtcNow().Subtract(DeliveryRetention).ToString("O", CultureInfo.InvariantCulture);
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM slack_deliveries WHERE received_at < @before", new { before }, cancellationToken: ct));
    }

    public async Task<long> AddQuestionAsync(string teamId, string conversationKey, string userId, string question,
        IEnumerable<string> noteIds, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO slack_questions (team_id, conversation_key, user_id, question, note_ids, asked_at)
            VALUES (@teamId, @conversationKey, @userId, @question, @notes, @at) RETURNING id
            """,
            new { teamId, conversationKey, userId, question, notes = string.Join(",", noteIds.Distinct()), at = Now() },
            cancellationToken: ct));
    }

    /// <summary>Records (or changes) one person's rating of an answer; false when the answer is unknown.</summary>
    public async Task<bool> RateAsync(long questionId, string userId, string userName, string rating, CancellationToken ct)
    {
        if (rating is not (FeedbackRating.Helpful or FeedbackRating.NotHelpful)) return false;
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO slack_feedback (question_id, user_id, user_name, rating, rated_at)
            SELECT id, @userId, @userName, @rating, @at FROM slack_questions WHERE id = @questionId
            ON CONFLICT (question_id, user_id) DO UPDATE SET rating = excluded.rating, user_name = excluded.user_name, rated_at = excluded.rated_at
            """,
            new { questionId, userId, userName, rating, at = Now() }, cancellationToken: ct));
        return rows == 1;
    }

    private string Now() => clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
}
