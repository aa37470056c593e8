using Dapper;
using DueDiligenceBot.Core.Storage;

namespace DueDiligenceBot.Channels.Teams;

/// <summary>Where to reach a Teams conversation without an incoming message.</summary>
public sealed record TeamsConversationReference(
    string ConversationId,
    string ServiceUrl,
    string? TenantId,
    string BotId,
    string? BotName,
    string? ConversationType,
    string? TeamId);

/// <summary>Conversation references in the <c>teams_conversation_references</c> table (migration 0003).</summary>
public sealed class TeamsReferenceStore(IDbConnectionFactory db, TimeProvider clock)
{
    /// <summary>The reference for an activity: in a team the channel's own id (not the thread's), else the conversation id.</summary>
    public static TeamsConversationReference? From(Activity a)
    {
        if (a.ServiceUrl is not { Length: > 0 } serviceUrl || a.Recipient?.Id is not { Length: > 0 } botId) return null;
        var id = a.TeamsChannelId ?? a.Conversation?.Id;
        if (string.IsNullOrEmpty(id)) return null;
        var thread = id.IndexOf(";messageid=", StringComparison.Ordinal);
        if (thread > 0) id = id[..thread];
        return new TeamsConversationReference(id, serviceUrl, a.TenantId, botId, a.Recipient.Name, a.Conversation?.ConversationType, a.TeamId);
    }

    public async Task UpsertAsync(TeamsConversationReference r, CancellationToken ct)
    {
        await using var connection = await db.OpenWriterAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO teams_conversation_references (conversation_id, service_url, tenant_id, bot_id, bot_name, conversation_type, team_id, updated_at)
            VALUES (@ConversationId, @ServiceUrl, @TenantId, @BotId, @BotName, @ConversationType, @TeamId, @At)
            ON CONFLICT (conversation_id) DO UPDATE SET service_url = excluded.service_url, tenant_id = excluded.tenant_id,
                bot_id = excluded.bot_id, bot_name = excluded.bot_name, conversation_type = excluded.conversation_type,
                team_id = excluded.team_id, updated_at = excluded.updated_at
            """,
            new { r.ConversationId, r.ServiceUrl, r.TenantId, r.BotId, r.BotName, r.ConversationType, r.TeamId, At = clock.GetUtcNow().ToString("O") },
            cancellationToken: ct));
    }

    public async Task<TeamsConversationReference?> FindAsync(string conversationId, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<TeamsConversationReference>(new CommandDefinition("""
            SELECT conversation_id AS ConversationId, service_url AS ServiceUrl, tenant_id AS TenantId, bot_id AS BotId,
                   bot_name AS BotName, conversation_type AS ConversationType, team_id AS TeamId
            FROM teams_conversation_references WHERE conversation_id = @conversationId
            """, new { conversationId }, cancellationToken: ct));
    }

    public async Task DeleteAsync(string conversationId, CancellationToken ct)
    {
        await using var connection = await db.OpenWriterAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM teams_conversation_references WHERE conversation_id = @conversationId", new { conversationId }, cancellationToken: ct));
    }
}
