namespace DueDiligenceBot.Core.Conversation;

/// <summary>
/// What one chat window is doing. A review belongs to the vendor, not to the chat: the state only points
/// at it, so any conversation in any channel can resume it.
/// </summary>
public sealed class ConversationState
{
    public long? VendorId { get; set; }
    public long? ReviewId { get; set; }
    /// <summary>The checklist question last asked in this conversation, if one is open.</summary>
    public string? CurrentKey { get; set; }
}
