using System.Text.Json.Nodes;
using DueDiligenceBot.Core.Conversation;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>Work taken from Slack and done after the acknowledgement, by <see cref="SlackWorker"/>.</summary>
public abstract record SlackJob(string DeliveryId)
{
    /// <summary>Jobs with the same key run one after another, in arrival order.</summary>
    public abstract string OrderingKey { get; }
}

/// <summary>Where a turn's replies go.</summary>
/// <param name="Channel">The Slack channel to post in (null when the replies go to <paramref name="ResponseUrl"/>, or to a DM still to be opened).</param>
/// <param name="ThreadTs">Post in this thread.</param>
/// <param name="AnswerThreadTs">In a DM, answers to questions go in the thread of the question's message.</param>
/// <param name="ResponseUrl">A slash command's or ephemeral message's response_url.</param>
/// <param name="OpenDirectMessageWith">Open a DM with this user first; it becomes the conversation and the channel.</param>
public sealed record SlackReplyTarget(
    string? Channel,
    string? ThreadTs = null,
    string? AnswerThreadTs = null,
    string? ResponseUrl = null,
    string? OpenDirectMessageWith = null);

/// <summary>The message whose question a click answered, so its inputs can be replaced with the recorded answer.</summary>
public sealed record AnsweredMessage(string Channel, string Ts, JsonArray Blocks, string QuestionKey);

/// <summary>A person's message or click, for the conversation engine.</summary>
public sealed record SlackTurnJob(
    string DeliveryId,
    string TeamId,
    IncomingMessage Message,
    SlackReplyTarget Target,
    AnsweredMessage? Answered = null) : SlackJob(DeliveryId)
{
    public override string OrderingKey => Target.OpenDirectMessageWith ?? Message.ConversationKey;
}

/// <summary>A helpful / not helpful click on an answer.</summary>
public sealed record SlackFeedbackJob(
    string DeliveryId,
    long QuestionId,
    string Rating,
    string UserId,
    string UserName,
    string Channel,
    string? MessageTs,
    JsonArray? Blocks,
    string? ResponseUrl) : SlackJob(DeliveryId)
{
    public override string OrderingKey => $"feedback:{Channel}";
}

/// <summary>Replies to post in a channel, e.g. a completed review's memo summary for security.</summary>
public sealed record SlackPostJob(string DeliveryId, string Channel, IReadOnlyList<BotReply> Replies) : SlackJob(DeliveryId)
{
    public override string OrderingKey => $"post:{Channel}";
}
