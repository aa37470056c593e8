using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DueDiligenceBot.Core.Inbox;

/// <summary>Sends the replies of a processed inbox item back to the channel it came from.</summary>
public interface IInboxDeliverer
{
    /// <summary>The inbox source this deliverer serves (e.g. <c>slack</c>, <c>teams</c>).</summary>
    string Source { get; }

    Task DeliverAsync(InboxEnvelope envelope, IReadOnlyList<BotReply> replies, CancellationToken ct);
}

/// <summary>Channels call this after storing an event, so a worker in this instance picks it up at once.</summary>
public sealed class InboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    public void Notify() => _signal.Release();
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>
/// Channels store an event (<see cref="EventInbox.EnqueueAsync"/>) before they acknowledge it; these workers run
/// its turn exactly once (the turn marks the row processed in its own transaction) and deliver its replies
/// at least once. Rows leased by a worker that died are taken up again when the lease runs out, so a
/// process killed mid-turn loses nothing that was acknowledged. Any instance may take any row.
/// </summary>
public sealed class InboxWorker(
    IServiceProvider services,
    IDbConnectionFactory db,
    IConversationEngine engine,
    InboxSignal signal,
    StartupState startup,
    TimeProvider clock,
    ILogger<InboxWorker> logger) : BackgroundService
{
    public const int Workers = 4;
    public const int MaxAttempts = 5;
    public static readonly TimeSpan TurnTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(250);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(() => LoopAsync(stoppingToken), CancellationToken.None)));

    private async Task LoopAsync(CancellationToken stoppingToken)
    {
        var deliverers = services.GetServices<IInboxDeliverer>().ToDictionary(d => d.Source, StringComparer.Ordinal);
        if (deliverers.Count == 0) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            bool worked;
            try
            {
                // Migrations run at start; until they are done there is no inbox table to read.
                worked = startup.IsReady && await RunOneAsync(deliverers);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.InboxLoopFailed(logger, e);
                worked = false;
            }
            if (worked) continue;
            try { await signal.WaitAsync(IdlePoll, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    /// <summary>Takes and handles one item; false when there was none. Public for tests that step the worker.</summary>
    public async Task<bool> RunOneAsync(IReadOnlyDictionary<string, IInboxDeliverer>? deliverers = null)
    {
        deliverers ??= services.GetServices<IInboxDeliverer>().ToDictionary(d => d.Source, StringComparer.Ordinal);
        InboxItem? item;
        var now = clock.GetUtcNow();
        await using (var connection = await db.OpenWriterAsync())
            item = await InboxStore.ClaimAsync(connection, deliverers.Keys.ToList(), now, now + TurnTimeout + TurnTimeout);
        if (item is null) return false;

        // The turn is not cancelled by shutdown: a stopping instance finishes what it started (within the
        // host's shutdown timeout); only the turn timeout ends it.
        using var timeout = new CancellationTokenSource(TurnTimeout);
        try
        {
            var envelope = InboxStore.ReadEnvelope(item);
            var outcome = item.Status == InboxStatus.Pending
                ? await engine.ProcessAsync(envelope.Message, item.Id, timeout.Token)
                : InboxStore.Outcome(item.OutcomeJson);
            var replies = await engine.FinishAsync(outcome, timeout.Token);
            await deliverers[item.Source].DeliverAsync(envelope, replies, timeout.Token);
            await using var done = await db.OpenWriterAsync();
            await InboxStore.MarkDeliveredAsync(done, item.Id, clock.GetUtcNow());
            Log.InboxDelivered(logger, item.Id, item.Source, item.Attempts);
        }
        catch (Exception e)
        {
            var giveUp = item.Attempts >= MaxAttempts;
            Log.InboxAttemptFailed(logger, e, item.Id, item.Source, item.Attempts, giveUp);
            var backoff = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, item.Attempts)) + Random.Shared.NextDouble());
            await using var connection = await db.OpenWriterAsync();
            await InboxStore.RecordFailureAsync(connection, item.Id, e.GetType().Name, giveUp, clock.GetUtcNow() + backoff);
        }
        return true;
    }
}

/// <summary>What channels use to store an event before acknowledging it.</summary>
public sealed class EventInbox(IDbConnectionFactory db, InboxSignal signal, TimeProvider clock)
{
    /// <summary>Stores the event durably; false when an event with this key was stored before (a retry or a duplicate).</summary>
    public async Task<bool> EnqueueAsync(string source, string dedupKey, InboxEnvelope envelope, CancellationToken ct = default)
    {
        await using var connection = await db.OpenWriterAsync(ct);
        var id = await InboxStore.TryEnqueueAsync(connection, source, dedupKey, envelope, clock.GetUtcNow());
        if (id is null) return false;
        signal.Notify();
        return true;
    }
}
