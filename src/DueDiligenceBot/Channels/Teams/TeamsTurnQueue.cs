using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Channels.Teams;

/// <summary>
/// The work that follows an acknowledged activity: run the turn and send its replies. Work for one
/// conversation runs in order on one partition; partitions run side by side. On shutdown the queue stops
/// taking work and drains what it holds within the host's shutdown timeout, so an acknowledged turn is not
/// dropped by a normal restart.
/// </summary>
public sealed class TeamsTurnQueue : IHostedService
{
    private const int Partitions = 4;
    private const int CapacityPerPartition = 256;

    private readonly Channel<Func<CancellationToken, Task>>[] _channels;
    private readonly TeamsOptions _options;
    private readonly ILogger<TeamsTurnQueue> _logger;
    private readonly IHostEnvironment _environment;
    private readonly CancellationTokenSource _abort = new();
    private Task[] _workers = [];
    private volatile bool _stopping;

    public TeamsTurnQueue(IOptions<TeamsOptions> options, ILogger<TeamsTurnQueue> logger, IHostEnvironment environment)
    {
        _options = options.Value;
        _logger = logger;
        _environment = environment;
        _channels = Enumerable.Range(0, Partitions)
            .Select(_ => Channel.CreateBounded<Func<CancellationToken, Task>>(new BoundedChannelOptions(CapacityPerPartition)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            }))
            .ToArray();
    }

    /// <summary>Queues work for a conversation; false when the queue is full or stopping.</summary>
    public bool TryEnqueue(string conversationKey, Func<CancellationToken, Task> work)
    {
        if (_stopping) return false;
        var partition = (int)((uint)StringComparer.Ordinal.GetHashCode(conversationKey) % Partitions);
        return _channels[partition].Writer.TryWrite(work);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.IsAnonymous)
        {
            if (_environment.IsDevelopment()) TeamsLog.AnonymousMode(_logger);
            else TeamsLog.AnonymousRefusedOutsideDevelopment(_logger);
        }
        else
        {
            TeamsLog.Authenticated(_logger, _options.OpenIdMetadataUrl);
        }
        _workers = _channels.Select(c => Task.Run(() => RunAsync(c.Reader))).ToArray();
        return Task.CompletedTask;
    }

    private async Task RunAsync(ChannelReader<Func<CancellationToken, Task>> reader)
    {
        await foreach (var work in reader.ReadAllAsync(CancellationToken.None))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(_options.TurnTimeoutSeconds));
            try
            {
                await work(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                TeamsLog.TurnTimedOut(_logger, _options.TurnTimeoutSeconds);
            }
            catch (Exception e)
            {
                TeamsLog.TurnFailed(_logger, e, Guid.NewGuid().ToString("N")[..12]);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var pending = _channels.Sum(c => c.Reader.Count);
        if (pending > 0) TeamsLog.Draining(_logger, pending);
        foreach (var c in _channels) c.Writer.TryComplete();
        // Drain within the host's shutdown timeout; past it, cancel what is still running.
        await using var registration = cancellationToken.Register(() => _abort.Cancel());
        await Task.WhenAll(_workers);
    }
}
