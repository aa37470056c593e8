using System.Text.Json;
using System.Text.Json.Serialization;

namespace DueDiligenceBot.Channels.Teams;

/// <summary>The fields of a Bot Framework Activity this bot reads (JSON camelCase); everything else is ignored.</summary>
public sealed class Activity
{
    public string? Type { get; set; }
    public string? Id { get; set; }
    public string? Timestamp { get; set; }
    public string? ServiceUrl { get; set; }
    public string? ChannelId { get; set; }
    public ChannelAccount? From { get; set; }
    public ChannelAccount? Recipient { get; set; }
    public ConversationAccount? Conversation { get; set; }
    public string? Text { get; set; }
    public string? TextFormat { get; set; }
    public JsonElement? Value { get; set; }
    public List<JsonElement>? Entities { get; set; }
    public JsonElement? ChannelData { get; set; }
    public string? ReplyToId { get; set; }
    public string? Name { get; set; }
    public string? Action { get; set; }
    public string? Locale { get; set; }
    public List<ChannelAccount>? MembersAdded { get; set; }
    public List<ChannelAccount>? MembersRemoved { get; set; }

    /// <summary>The tenant: <c>conversation.tenantId</c>, else <c>channelData.tenant.id</c>.</summary>
    [JsonIgnore]
    public string? TenantId =>
        Conversation?.TenantId is { Length: > 0 } t ? t
        : ChannelData is { ValueKind: JsonValueKind.Object } cd
          && cd.TryGetProperty("tenant", out var tenant) && tenant.ValueKind == JsonValueKind.Object
          && tenant.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;

    /// <summary>In a team: <c>channelData.channel.id</c> (the channel's own conversation id).</summary>
    [JsonIgnore]
    public string? TeamsChannelId => StringAt("channel", "id");

    [JsonIgnore]
    public string? TeamId => StringAt("team", "id");

    [JsonIgnore]
    public string? EventType =>
        ChannelData is { ValueKind: JsonValueKind.Object } cd && cd.TryGetProperty("eventType", out var e) && e.ValueKind == JsonValueKind.String
            ? e.GetString() : null;

    private string? StringAt(string outer, string inner) =>
        ChannelData is { ValueKind: JsonValueKind.Object } cd
        && cd.TryGetProperty(outer, out var o) && o.ValueKind == JsonValueKind.Object
        && o.TryGetProperty(inner, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

public sealed class ChannelAccount
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? AadObjectId { get; set; }
    public string? Role { get; set; }
}

public sealed class ConversationAccount
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? ConversationType { get; set; }
    public string? TenantId { get; set; }
    public bool? IsGroup { get; set; }
}

/// <summary>JSON settings for activities on the wire.</summary>
public static class ActivityJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 32,
    };
}
