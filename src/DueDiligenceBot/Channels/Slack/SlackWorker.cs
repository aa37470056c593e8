using System.Text.Json.Nodes;
using System.Threading.Channels;
using DueDiligenceBot.Core.Conversation;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>
/// Outbound Slack work that is no conversation turn (turns go through the durable inbox and
/// <see cref="SlackDeliverer"/>): the thank-you that replaces feedback buttons, and memo summaries for the
/// review channel. Both are announcements of something already stored, so an in-memory queue is enough.
/// </summary>
public sealed class SlackWorker : BackgroundService
{
    public const int Capacity = 1000;
    private readonly Channel<SlackJob> _queue = Channel.CreateBounded<SlackJob>(new BoundedChannelOptions(Capacity) { SingleReader = true });
    private readonly SlackApiClient _api;
    private readonly string _publicBaseUrl;
    private readonly ILogger<SlackWorker> _logger;

    public SlackWorker(SlackApiClient api, IOptions<ReviewOptions> review, ILogger<SlackWorker> logger)
    {
        _api = api;
        _publicBaseUrl = review.Value.PublicBaseUrl;
        _logger = logger;
    }

    public bool TryEnqueue(SlackJob job) => _queue.Writer.TryWrite(job);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                using var scope = _logger.BeginScope(new Dictionary<string, object> { ["Channel"] = SlackInbound.ChannelName, ["Conversation"] = job.OrderingKey });
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(60));
                try
                {
                    await RunAsync(job, timeout.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.OutboundFailed(_logger, e, job.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    private async Task RunAsync(SlackJob job, CancellationToken ct)
    {
        switch (job)
        {
            case SlackPostJob post:
                foreach (var m in SlackBlocks.Render(post.Replies, _publicBaseUrl))
                    await _api.PostMessageAsync(post.Channel, m, null, ct);
                break;
            case SlackFeedbackJob feedback when feedback.MessageTs is not null && feedback.Blocks is not null:
                var id = feedback.QuestionId.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var blocks = ReplaceBlocks(feedback.Blocks, $"{SlackBlocks.FeedbackBlock}{id}", feedback.Note, exact: true);
                await _api.UpdateAsync(feedback.Channel, feedback.MessageTs, new SlackMessage(FallbackOf(blocks), blocks), ct);
                break;
            case SlackFeedbackJob { ResponseUrl: { } responseUrl } feedback:
                await _api.RespondAsync(responseUrl, new SlackMessage(feedback.Note, [SlackBlocks.Context(feedback.Note)]), replaceOriginal: false, ct);
                break;
        }
    }

    /// <summary>The message's blocks with the matching blocks removed and a context line in place of the first.</summary>
    internal static JsonArray ReplaceBlocks(JsonArray original, string blockIdPrefix, string note, bool exact = false)
    {
        var result = new JsonArray();
        var placed = false;
        foreach (var block in original)
        {
            var id = block?["block_id"]?.GetValue<string>();
            var match = id is not null && (exact ? id == blockIdPrefix : id.StartsWith(blockIdPrefix, StringComparison.Ordinal));
            if (!match) { result.Add(block?.DeepClone()); continue; }
            if (placed) continue;
            result.Add(SlackBlocks.Context(note));
            placed = true;
        }
        if (!placed) result.Add(SlackBlocks.Context(note));
        return result;
    }

    /// <summary>Section texts are already escaped mrkdwn; they make the fallback text of an updated message.</summary>
    internal static string FallbackOf(JsonArray blocks)
    {
        var texts = blocks.Select(b => b?["type"]?.GetValue<string>() == "section" ? b["text"]?["text"]?.GetValue<string>() : null)
            .Where(t => t is not null);
        var text = string.Join("\n\n", texts);
        if (text.Length == 0) return "Updated";
        if (text.Length <= SlackBlocks.MaxFallbackText) return text;
        var cut = text.LastIndexOf('&', SlackBlocks.MaxFallbackText - 1) is var amp && amp > SlackBlocks.MaxFallbackText - 6 ? amp : SlackBlocks.MaxFallbackText - 1;
        return text[..cut] + "…";
    }
}
