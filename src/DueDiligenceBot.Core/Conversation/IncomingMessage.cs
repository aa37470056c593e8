namespace DueDiligenceBot.Core.Conversation;

/// <summary>
/// One message from a person, in any channel. Channel adapters build it from their wire format; it is
/// the only inbound type that crosses the channel seam.
/// </summary>
/// <param name="Channel">Channel name: <c>webchat</c>, <c>terminal</c>, <c>teams</c>, <c>slack</c>.</param>
/// <param name="ConversationId">The channel's conversation (chat window, DM, thread).</param>
/// <param name="UserId">Stable id of the person in that channel.</param>
/// <param name="UserName">Display name, stored with answers as their author.</param>
/// <param name="Text">What the person typed, if anything.</param>
/// <param name="Action">The value of a clicked button or submitted card input, if any (see <see cref="ChoiceValues"/>).</param>
public sealed record IncomingMessage(
    string Channel,
    string ConversationId,
    string UserId,
    string UserName,
    string? Text,
    string? Action = null)
{
    public string ConversationKey => $"{Channel}:{ConversationId}";
}
