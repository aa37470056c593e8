using System.Text.Json;
using System.Text.Json.Nodes;
using DueDiligenceBot.Core.Conversation;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>
/// Where a turn's replies go, stored with the message in the inbox (<c>InboxEnvelope.Route</c>), so any
/// instance can deliver them, also after a restart.
/// </summary>
/// <param name="TeamId">The workspace.</param>
/// <param name="Channel">The Slack channel to post in (unused when the replies go to <paramref name="ResponseUrl"/>).</param>
/// <param name="ThreadTs">Post in this thread.</param>
/// <param name="AnswerThreadTs">In a DM, answers to framework questions go in the thread of the question's message.</param>
/// <param name="ResponseUrl">A slash command's or ephemeral message's response_url.</param>
/// <param name="Answered">The message whose question a click answered, so its inputs can be replaced with the recorded answer.</param>
public sealed record SlackRoute(
    string TeamId,
    string? Channel,
    string? ThreadTs = null,
    string? AnswerThreadTs = null,
    string? ResponseUrl = null,
    AnsweredMessage? Answered = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public JsonElement ToJson() => JsonSerializer.SerializeToElement(this, Json);

    public static SlackRoute FromJson(JsonElement json) =>
        json.Deserialize<SlackRoute>(Json) ?? throw new InvalidDataException("a Slack inbox item has no route");
}

/// <summary>The posted message a click came from, and the question it answers.</summary>
public sealed record AnsweredMessage(string Channel, string Ts, JsonArray Blocks, string QuestionKey);

/// <summary>Outbound-only work that is no conversation turn: see <see cref="SlackWorker"/>.</summary>
public abstract record SlackJob(string OrderingKey);

/// <summary>After a helpful / not helpful click (already stored): replace the buttons with a thank-you.</summary>
public sealed record SlackFeedbackJob(string Channel, string? MessageTs, JsonArray? Blocks, string? ResponseUrl, long QuestionId, string Note)
    : SlackJob($"feedback:{Channel}");

/// <summary>Replies to post in a channel, e.g. a completed review's memo summary for security.</summary>
public sealed record SlackPostJob(string Channel, IReadOnlyList<BotReply> Replies) : SlackJob($"post:{Channel}");
