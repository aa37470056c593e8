using System.Collections.Concurrent;
using System.Diagnostics;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>
/// People's display names (users.info), cached, so an answer's author reads the same whether it came from a
/// DM (which carries no name), a click or a slash command. A lookup has a small time budget because it runs
/// before the acknowledgement; past it the payload's name (or the user id) is used.
/// </summary>
public sealed class SlackUserNames(SlackApiClient api, ILogger<SlackUserNames> logger)
{
    public static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(600);
    private const int MaxCached = 20_000;
    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);

    public async Task<string> NameAsync(string userId, string fallback, CancellationToken ct)
    {
        if (_names.TryGetValue(userId, out var known)) return known;
        var watch = Stopwatch.StartNew();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(Budget);
        try
        {
            var name = await api.UserNameAsync(userId, budget.Token);
            if (name is null) return fallback;
            if (_names.Count < MaxCached) _names[userId] = name;
            return name;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Log.NameLookupSlow(logger, watch.Elapsed.TotalMilliseconds);
            return fallback;
        }
    }
}
