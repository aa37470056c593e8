using System.Collections.Concurrent;
using System.Diagnostics;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>
/// People's display names (users.info), cached, so an answer's author reads the same whether it came from a
/// DM (which carries no name), a click or a slash command. Lookups run before the acknowledgement, so they
/// are kept off that path where they can be: a payload that carries a name (commands, clicks) uses it until
/// the display name is cached (looked up in the background); an event, which carries none, waits for the
/// lookup within a small budget.
/// </summary>
public sealed class SlackUserNames(SlackApiClient api, ILogger<SlackUserNames> logger)
{
    public static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(600);
    private const int MaxCached = 20_000;
    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<string?>> _lookups = new(StringComparer.Ordinal);

    /// <summary>The cached display name, or the payload's name while the display name is looked up in the background.</summary>
    public string Name(string userId, string payloadName)
    {
        if (_names.TryGetValue(userId, out var known)) return known;
        _ = Lookup(userId);
        return payloadName;
    }

    /// <summary>The display name, waiting for the lookup up to <see cref="Budget"/>; the fallback after that.</summary>
    public async Task<string> NameAsync(string userId, string fallback, CancellationToken ct)
    {
        if (_names.TryGetValue(userId, out var known)) return known;
        var watch = Stopwatch.StartNew();
        try
        {
            return await Lookup(userId).WaitAsync(Budget, ct) ?? fallback;
        }
        catch (TimeoutException)
        {
            Log.NameLookupSlow(logger, watch.Elapsed.TotalMilliseconds);
            return fallback;
        }
    }

    private Task<string?> Lookup(string userId)
    {
        // One lookup per person at a time; the finished one leaves the table so a failure can be tried again later.
        var task = _lookups.GetOrAdd(userId, FetchAsync);
        _ = task.ContinueWith(t => _lookups.TryRemove(KeyValuePair.Create(userId, t)), TaskScheduler.Default);
        return task;
    }

    private async Task<string?> FetchAsync(string userId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var name = await api.UserNameAsync(userId, timeout.Token).ConfigureAwait(false);
            if (name is not null && _names.Count < MaxCached) _names[userId] = name;
            return name;
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
        {
            return null;
        }
    }
}
