using System.Data.Common;
using System.Text.Json;
using Dapper;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Storage;
using Microsoft.Data.Sqlite;

namespace DueDiligenceBot.Core.Inbox;

public static class InboxStatus
{
    public const string Pending = "pending";
    public const string Processed = "processed";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

public sealed class InboxItem
{
    public long Id { get; set; }
    public string Source { get; set; } = "";
    public string DedupKey { get; set; } = "";
    public string Payload { get; set; } = "";
    public string Status { get; set; } = "";
    public int Attempts { get; set; }
    public string? OutcomeJson { get; set; }
}

/// <summary>
/// What a channel stores for a later turn: the message, and where the replies go (channel-specific JSON:
/// a Slack channel and thread, a Teams service URL and conversation, …).
/// </summary>
public sealed record InboxEnvelope(IncomingMessage Message, JsonElement Route);

/// <summary>The SQL of the inbox (valid for SQLite and PostgreSQL).</summary>
public static class InboxStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Stores an event unless one with the same source and key is stored already; returns its id, or null for a duplicate.</summary>
    public static async Task<long?> TryEnqueueAsync(DbConnection connection, string source, string dedupKey, InboxEnvelope envelope, DateTimeOffset now)
    {
        var id = await connection.ExecuteScalarAsync<long?>(
            """
            INSERT INTO inbox (source, dedup_key, conversation_key, payload, status, received_at)
            VALUES (@Source, @Key, @Conversation, @Payload, 'pending', @At)
            ON CONFLICT (source, dedup_key) DO NOTHING
            RETURNING id
            """, new { Source = source, Key = dedupKey, Conversation = envelope.Message.ConversationKey, Payload = JsonSerializer.Serialize(envelope, Json), At = now.ToString("O") });
        return id;
    }

    public static InboxEnvelope ReadEnvelope(InboxItem item) =>
        JsonSerializer.Deserialize<InboxEnvelope>(item.Payload, Json) ?? throw new InvalidDataException($"inbox item {item.Id} has no payload");

    /// <summary>
    /// Takes the oldest item that is pending or processed-but-undelivered, not leased by a live worker, and the
    /// first open one of its conversation (so one person's messages are answered in the order they were sent),
    /// and leases it until <paramref name="leaseUntil"/>. On PostgreSQL rows another worker is taking are
    /// skipped rather than waited for; the conditions are repeated on the outer UPDATE so two workers racing
    /// for one row cannot both win.
    /// </summary>
    public static async Task<InboxItem?> ClaimAsync(DbConnection connection, IReadOnlyList<string> sources, DateTimeOffset now, DateTimeOffset leaseUntil)
    {
        // Only sources this instance can deliver: a terminal session sharing the database takes no Slack event.
        // One source per query, starting at a different one each time so none waits behind another.
        var start = sources.Count == 0 ? 0 : Random.Shared.Next(sources.Count);
        for (var i = 0; i < sources.Count; i++)
        {
            var item = await ClaimAsync(connection, sources[(start + i) % sources.Count], now, leaseUntil);
            if (item is not null) return item;
        }
        return null;
    }

    private static Task<InboxItem?> ClaimAsync(DbConnection connection, string source, DateTimeOffset now, DateTimeOffset leaseUntil)
    {
        var skipLocked = connection is SqliteConnection ? "" : " FOR UPDATE SKIP LOCKED";
        return connection.QuerySingleOrDefaultAsync<InboxItem>(
            $"""
            UPDATE inbox SET lease_until = @Until, attempts = attempts + 1
            WHERE id = (SELECT i.id FROM inbox i
                        WHERE i.status IN ('pending', 'processed') AND (i.lease_until IS NULL OR i.lease_until < @Now) AND i.source = @Source
                          AND NOT EXISTS (SELECT 1 FROM inbox e
                                          WHERE e.conversation_key = i.conversation_key AND e.id < i.id
                                            AND e.status IN ('pending', 'processed'))
                        ORDER BY i.id LIMIT 1{skipLocked})
              AND status IN ('pending', 'processed') AND (lease_until IS NULL OR lease_until < @Now)
            RETURNING id, source, dedup_key, payload, status, attempts, outcome_json
            """, new { Now = now.ToString("O"), Until = leaseUntil.ToString("O"), Source = source });
    }

    /// <summary>The stored outcome when the delivery was processed already (locks the row on PostgreSQL).</summary>
    public static async Task<TurnOutcome?> ProcessedOutcomeAsync(DbTransaction tx, long id)
    {
        var lockClause = tx.Connection is SqliteConnection ? "" : " FOR UPDATE";
        var row = await tx.Connection!.QuerySingleOrDefaultAsync<(string Status, string? Outcome)>(
            $"SELECT status, outcome_json FROM inbox WHERE id = @Id{lockClause}", new { Id = id }, tx);
        return row.Status is null or InboxStatus.Pending ? null : Outcome(row.Outcome);
    }

    /// <summary>
    /// Marks a pending delivery processed with its outcome, inside the turn's transaction. Returns null when
    /// this turn did it, or the stored outcome when another turn got there first.
    /// </summary>
    public static async Task<TurnOutcome?> MarkProcessedAsync(DbTransaction tx, long id, TurnOutcome outcome, DateTimeOffset now)
    {
        var rows = await tx.Connection!.ExecuteAsync(
            """
            UPDATE inbox SET status = 'processed', outcome_json = @Outcome, processed_at = @At
            WHERE id = @Id AND status = 'pending'
            """, new { Id = id, Outcome = JsonSerializer.Serialize(outcome, Json), At = now.ToString("O") }, tx);
        if (rows == 1) return null;
        return await ProcessedOutcomeAsync(tx, id) ?? outcome;
    }

    public static TurnOutcome Outcome(string? json) =>
        json is null ? new TurnOutcome([]) : JsonSerializer.Deserialize<TurnOutcome>(json, Json) ?? new TurnOutcome([]);

    public static Task MarkDeliveredAsync(DbConnection connection, long id, DateTimeOffset now) =>
        connection.ExecuteAsync(
            "UPDATE inbox SET status = 'delivered', delivered_at = @At, lease_until = NULL WHERE id = @Id",
            new { Id = id, At = now.ToString("O") });

    /// <summary>Records a failed attempt; after the last one the item is given up (status failed).</summary>
    public static Task RecordFailureAsync(DbConnection connection, long id, string error, bool giveUp, DateTimeOffset retryAt) =>
        connection.ExecuteAsync(
            """
            UPDATE inbox SET last_error = @Error, lease_until = @RetryAt,
                   status = CASE WHEN @GiveUp THEN 'failed' ELSE status END
            WHERE id = @Id
            """, new { Id = id, Error = error, GiveUp = giveUp, RetryAt = retryAt.ToString("O") });
}
