using DueDiligenceBot.Core.Conversation;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Channels.Teams;

/// <summary>
/// Posts the memo summary of a completed review to <c>Review:TeamsChannel</c>, as a new post in that
/// channel, using the conversation reference stored when the bot was installed in the team.
/// </summary>
public sealed class TeamsReviewCompletedListener(
    IOptions<ReviewOptions> review,
    TeamsReferenceStore references,
    TeamsTurnQueue queue,
    IServiceProvider services,
    ILogger<TeamsReviewCompletedListener> logger) : IReviewCompletedListener
{
    public async Task OnReviewCompletedAsync(string vendorName, long reviewId, IReadOnlyList<BotReply> announcement, CancellationToken ct)
    {
        var channel = review.Value.TeamsChannel;
        if (string.IsNullOrWhiteSpace(channel)) return;
        if (await references.FindAsync(channel.Trim(), ct) is not { } reference)
        {
            TeamsLog.NoChannelReference(logger, reviewId);
            return;
        }
        var memo = announcement.Where(r => r.Kind == ReplyKind.MemoSummary).ToList();
        var posts = memo.Count > 0 ? memo : announcement.ToList();
        if (posts.Count == 0) return;
        var to = new TurnReference(reference.ServiceUrl, reference.ConversationId, null,
            new ChannelAccount { Id = reference.BotId, Name = reference.BotName }, null);
        // TeamsBot is resolved late: it depends on the engine, which depends on the listeners.
        var bot = services.GetRequiredService<TeamsBot>();
        if (queue.TryEnqueue("teams-channel:" + reference.ConversationId, token => bot.DeliverAsync(to, posts, null, null, token)))
            TeamsLog.MemoQueued(logger, reviewId);
        else
            TeamsLog.QueueFull(logger);
    }
}
