using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Core.Conversation;

/// <summary>
/// A token bucket per person (channel + user id): a burst of a minute's allowance, refilled every second.
/// Per instance; behind a load balancer each instance enforces it on the messages it takes.
/// </summary>
public sealed class UserTurnLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public UserTurnLimiter(IOptions<ReviewOptions> options)
    {
        var perMinute = options.Value.MaxTurnsPerUserPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = Math.Max(1, perMinute / 60),
            ReplenishmentPeriod = TimeSpan.FromSeconds(perMinute >= 60 ? 1 : 60.0 / perMinute),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public bool TryTake(IncomingMessage message)
    {
        using var lease = _limiter.AttemptAcquire($"{message.Channel}:{message.UserId}");
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
