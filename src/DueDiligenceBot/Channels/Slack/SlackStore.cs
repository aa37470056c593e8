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
/// The Slack tables of migration 0004: the framework questions answered in Slack and the feedback on them.
/// (De-duplication of Slack deliveries is the inbox's: its key is Slack's event id or trigger id.)
/// </summary>
public sealed class SlackStore(IDbConnectionFactory db, TimeProvider clock)
{
    public async Task<long> AddQuestionAsync(string teamId, string conversationKey, string userId, string question,
        IEnumerable<string> noteIds, CancellationToken ct)
    {
        await using var connection = await db.OpenWriterAsync(ct);
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
        await using var connection = await db.OpenWriterAsync(ct);
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
