using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Inbox;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>A delivery Slack could not take now (rate limit, 5xx, network); the inbox retries it.</summary>
public sealed class SlackDeliveryException(string method, string error) : Exception($"Slack {method} failed: {error}");

/// <summary>
/// Delivers the replies of a Slack turn the inbox worker ran: stores the answered questions for feedback,
/// renders Block Kit and posts it where the route says (the thread, the DM, or the response_url), then
/// replaces the inputs of a clicked question with the recorded answer and its author.
/// </summary>
public sealed class SlackDeliverer(SlackApiClient api, SlackStore store, IOptions<ReviewOptions> review, ILogger<SlackDeliverer> logger) : IInboxDeliverer
{
    private readonly string _publicBaseUrl = review.Value.PublicBaseUrl;

    public string Source => SlackInbound.ChannelName;

    public async Task DeliverAsync(InboxEnvelope envelope, IReadOnlyList<BotReply> replies, CancellationToken ct)
    {
        var route = SlackRoute.FromJson(envelope.Route);
        var message = envelope.Message;

        var feedback = new Dictionary<int, long>();
        for (var i = 0; i < replies.Count; i++)
            if (replies[i].Kind == ReplyKind.KnowledgeAnswer && replies[i].Citations.Count > 0 && message.Text is { Length: > 0 } question)
                feedback[i] = await store.AddQuestionAsync(route.TeamId, message.ConversationKey, message.UserId, question,
                    replies[i].Citations.Select(c => c.NoteId), ct);

        // Answers to framework questions asked at the top of a DM go in the question's thread; the review dialogue stays in the DM.
        var answersOnly = replies.Any(r => r.Kind == ReplyKind.KnowledgeAnswer) && replies.All(r => r.Kind != ReplyKind.Question);
        var thread = route.ThreadTs ?? (answersOnly ? route.AnswerThreadTs : null);

        var messages = SlackBlocks.Render(replies, _publicBaseUrl, feedback);
        foreach (var m in messages)
        {
            var result = route.ResponseUrl is { } responseUrl
                ? await api.RespondAsync(responseUrl, m, replaceOriginal: false, ct)
                : route.Channel is { } channel
                    ? await api.PostMessageAsync(channel, m, thread, ct)
                    : null;
            if (result is { Ok: false, Transient: true })
                throw new SlackDeliveryException(route.ResponseUrl is null ? "chat.postMessage" : "response_url", result.Error ?? "unknown");
        }
        Log.TurnDelivered(logger, replies.Count, messages.Count);

        if (route.Answered is { } answered)
            await MarkAnsweredAsync(answered, message, replies, ct);
    }

    /// <summary>Replaces the inputs of the clicked question with the answer the engine recorded and who gave it.</summary>
    private async Task MarkAnsweredAsync(AnsweredMessage answered, IncomingMessage message, IReadOnlyList<BotReply> replies, CancellationToken ct)
    {
        var recorded = replies.FirstOrDefault(r => r.Kind == ReplyKind.Info && r.Text.StartsWith("Recorded for question", StringComparison.Ordinal));
        string note;
        if (recorded is not null)
            note = $"✅ {SlackText.Escape(recorded.Text.TrimEnd('.'))} — answered by {SlackText.Escape(message.UserName)}";
        else if (message.Action == "skip")
            note = $"⏭️ Skipped by {SlackText.Escape(message.UserName)}";
        else
            return;
        var blocks = SlackWorker.ReplaceBlocks(answered.Blocks, $"{SlackBlocks.QuestionBlock}{answered.QuestionKey}:", note);
        await api.UpdateAsync(answered.Channel, answered.Ts, new SlackMessage(SlackWorker.FallbackOf(blocks), blocks), ct);
    }
}
