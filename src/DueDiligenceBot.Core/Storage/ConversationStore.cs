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

    /// <summary>
    /// Saves the state if nobody saved it since <paramref name="expectedVersion"/>; else throws
    /// <see cref="ConcurrencyConflictException"/> (and the caller rolls the turn back). The turn's deferred
    /// inserts, if any, go in the same command.
    /// </summary>
    public static async Task SaveAsync<T>(DbTransaction tx, string key, T state, long expectedVersion, DateTimeOffset now,
        DeferredInserts? inserts = null)
    {
        var json = JsonSerializer.Serialize(state);
        var save = expectedVersion == 0
            ? """
              INSERT INTO conversations (conversation_key, state_json, version, updated_at) VALUES (@Key, @Json, 1, @At)
              ON CONFLICT (conversation_key) DO NOTHING
              """
            : """
              UPDATE conversations SET state_json = @Json, version = version + 1, updated_at = @At
              WHERE conversation_key = @Key AND version = @Version
              """;
        var parameters = new { Key = key, Json = json, At = now.ToString("O"), Version = expectedVersion };
        var deferred = inserts?.Count ?? 0;
        var rows = deferred == 0
            ? await tx.Connection!.ExecuteAsync(save, parameters, tx)
            : await ExecuteWithInsertsAsync(tx, inserts!, save, parameters);
        // Each deferred insert stores exactly one row, so anything short of 1 + deferred is a lost race.
        if (rows != 1 + deferred) throw new ConcurrencyConflictException(key);
    }

    private static Task<int> ExecuteWithInsertsAsync(DbTransaction tx, DeferredInserts inserts, string save, object parameters)
    {
        var (sql, all) = inserts.Take(save, parameters);
        return tx.Connection!.ExecuteAsync(sql, all, tx);
    }
}
