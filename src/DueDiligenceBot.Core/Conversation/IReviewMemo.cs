using System.Data.Common;
using DueDiligenceBot.Core.Storage;

namespace DueDiligenceBot.Core.Conversation;

/// <summary>The memo as the conversation sees it: announced when a review completes, shown on <c>memo &lt;vendor&gt;</c>.</summary>
public interface IReviewMemo
{
    /// <summary>Called inside the turn's transaction when a review's last question is answered.</summary>
    Task<IReadOnlyList<BotReply>> OnReviewCompletedAsync(DbTransaction tx, VendorRow vendor, ReviewRow review, CancellationToken ct);

    /// <summary>
    /// Called after the completing turn committed, with no transaction open: slow work such as the model's
    /// narrative of the stored memo version. Without a model it does nothing.
    /// </summary>
    Task OnReviewCommittedAsync(long reviewId, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The memo summary (rating, top findings, open items, link) of a vendor's latest review.</summary>
    Task<BotReply> SummaryAsync(DbTransaction tx, VendorRow vendor, ReviewRow review, CancellationToken ct);
}

/// <summary>Told after a turn commits that a review completed (posts to the security channels).</summary>
public interface IReviewCompletedListener
{
    Task OnReviewCompletedAsync(string vendorName, long reviewId, IReadOnlyList<BotReply> announcement, CancellationToken ct);
}
