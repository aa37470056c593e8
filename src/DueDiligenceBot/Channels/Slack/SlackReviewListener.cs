using DueDiligenceBot.Core.Conversation;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>
/// When a review completes (in any channel) and <c>Review:SlackChannel</c> is set, queues the memo summary
/// for that channel, so security sees it. Queued, not posted inline: the turn that completed the review
/// (perhaps in Teams or the web chat) does not wait for Slack.
/// </summary>
public sealed class SlackReviewListener(IOptions<ReviewOptions> review, IOptions<SlackOptions> slack, SlackWorker worker,
    ILogger<SlackReviewListener> logger) : IReviewCompletedListener
{
    public Task OnReviewCompletedAsync(string vendorName, long reviewId, IReadOnlyList<BotReply> announcement, CancellationToken ct)
    {
        var channel = review.Value.SlackChannel;
        if (channel.Length == 0 || slack.Value.BotToken.Length == 0) return Task.CompletedTask;

        var memo = announcement.Where(r => r.Kind == ReplyKind.MemoSummary).ToList();
        var baseUrl = review.Value.PublicBaseUrl.TrimEnd('/');
        var replies = new List<BotReply>
        {
            new()
            {
                Kind = ReplyKind.Info,
                Text = $"Security review of {vendorName} completed; the risk memo is ready for approval.",
                Link = $"/vendors/{Uri.EscapeDataString(vendorName)}",
            },
        };
        replies.AddRange(memo.Count > 0
            ? memo
            : announcement.Where(r => r.Kind == ReplyKind.Info && r.Text.Contains(" is complete", StringComparison.Ordinal)).TakeLast(1));
        if (worker.TryEnqueue(new SlackPostJob(channel, replies)))
            Log.MemoQueued(logger, reviewId);
        return Task.CompletedTask;
    }
}
