using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace DueDiligenceBot.Core.Storage;

/// <summary>Thrown when another turn saved the same conversation first; the turn is retried.</summary>
public sealed class ConcurrencyConflictException(string key) : Exception($"conversation {key} was changed by another turn");

/// <summary>Conversation state as JSON with a version for optimistic concurrency.</summary>
public static class ConversationStore
{
    public static async Task<(T State, long Version)> LoadAsync<T>(DbTransaction tx, string key) where T : new()
    {
        var row = await tx.Connection!.QuerySingleOrDefaultAsync<(string StateJson, long Version)?>(
            "SELECT state_json, version FROM conversations WHERE conversation_key = @Key", new { Key = key }, tx);
        if (row is null) return (new T(), 0);
        return (JsonSerializer.Deserialize<T>(row.Value.StateJson) ?? new T(), row.Value.Version);
    }

    /// <summary>Saves the state if nobody saved it since <paramref name="expectedVersion"/>; else throws <see cref="ConcurrencyConflictException"/>.</summary>
    public static async Task SaveAsync<T>(DbTransaction tx, string key, T state, long expectedVersion, DateTimeOffset now)
    {
        var json = JsonSerializer.Serialize(state);
        int rows;
        if (expectedVersion == 0)
            rows = await tx.Connection!.ExecuteAsync(
                """
                INSERT INTO conversations (conversation_key, state_json, version, updated_at) VALUES (@Key, @Json, 1, @At)
                ON CONFLICT (conversation_key) DO NOTHING
                """, new { Key = key, Json = json, At = now.ToString("O") }, tx);
        else
            rows = await tx.Connection!.ExecuteAsync(
                """
                UPDATE conversations SET state_json = @Json, version = version + 1, updated_at = @At
                WHERE conversation_key = @Key AND version = @Version
                """, new { Key = key, Json = json, At = now.ToString("O"), Version = expectedVersion }, tx);
        if (rows != 1) throw new ConcurrencyConflictException(key);
    }
}
