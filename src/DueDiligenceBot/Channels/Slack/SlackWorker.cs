using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using DueDiligenceBot.Core.Conversation;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>Worker sizing and the turn timeout; tests may shorten them.</summary>
public sealed class SlackWorkerSettings
{
    /// <summary>Jobs of one conversation run in order on one lane; lanes run in parallel.</summary>
    public int Lanes { get; init; } = 4;
    public int QueueCapacityPerLane { get; init; } = 2500;
    public TimeSpan TurnTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Runs the work Slack handed over after its acknowledgement: the conversation turn (with a timeout),
/// rendering and posting; feedback clicks; posts for the review channel. Jobs are spread over lanes by
/// conversation, so one conversation's replies keep their order while other conversations proceed.
/// </summary>
public sealed class SlackWorker : BackgroundService
{
    private readonly Channel<SlackJob>[] _lanes;
    private readonly IServiceProvider _services;
    private readonly SlackApiClient _api;
    private readonly SlackStore _store;
    private readonly SlackWorkerSettings _settings;
    private readonly string _publicBaseUrl;
    private readonly ILogger<SlackWorker> _logger;
    private static readonly IReadOnlyDictionary<int, long> NoFeedback = new Dictionary<int, long>();
    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);

    public SlackWorker(IServiceProvider services, SlackApiClient api, SlackStore store, SlackWorkerSettings settings,
        IOptions<ReviewOptions> review, ILogger<SlackWorker> logger)
    {
        _services = services;
        _api = api;
        _store = store;
        _settings = settings;
        _publicBaseUrl = review.Value.PublicBaseUrl;
        _logger = logger;
        _lanes = Enumerable.Range(0, Math.Max(1, settings.Lanes))
            .Select(_ => Channel.CreateBounded<SlackJob>(new BoundedChannelOptions(settings.QueueCapacityPerLane)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            }))
            .ToArray();
    }

    // The engine is resolved lazily: it depends on the review listeners, one of which queues work here.
    private IConversationEngine Engine => _services.GetRequiredService<IConversationEngine>();

    public bool TryEnqueue(SlackJob job)
    {
        var lane = (int)((uint)StringComparer.Ordinal.GetHashCode(job.OrderingKey) % (uint)_lanes.Length);
        return _lanes[lane].Writer.TryWrite(job);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_lanes.Select(l => RunLaneAsync(l.Reader, stoppingToken)).Append(PurgeLoopAsync(stoppingToken)));

    private async Task RunLaneAsync(ChannelReader<SlackJob> reader, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in reader.ReadAllAsync(stoppingToken))
            {
                using var scope = _logger.BeginScope(new Dictionary<string, object>
                {
                    ["Channel"] = SlackInbound.ChannelName,
                    ["Conversation"] = job.OrderingKey,
                    ["EventId"] = job.DeliveryId,
                });
                try
                {
                    await RunAsync(job, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.TurnFailed(_logger, e, job.DeliveryId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    private async Task PurgeLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
            do
            {
                try { await _store.PurgeDeliveriesAsync(stoppingToken); }
                catch (System.Data.Common.DbException) { /* the next hour tries again */ }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    internal Task RunAsync(SlackJob job, CancellationToken ct) => job switch
    {
        SlackTurnJob turn => RunTurnAsync(turn, ct),
        SlackFeedbackJob feedback => RunFeedbackAsync(feedback, ct),
        SlackPostJob post => PostAsync(post.Channel, post.Replies, null, ct),
        _ => Task.CompletedTask,
    };

    private async Task RunTurnAsync(SlackTurnJob job, CancellationToken stoppingToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        cts.CancelAfter(_settings.TurnTimeout);
        var ct = cts.Token;
        var message = job.Message;
        var target = job.Target;

        if (target.OpenDirectMessageWith is { } dmUser)
        {
            var dm = await _api.OpenDirectMessageAsync(dmUser, ct);
            if (dm is null)
            {
                await ReplyAsync(target with { OpenDirectMessageWith = null },
                    [BotReply.Info("I could not open a direct message with you. Please message me directly and say it there.")], NoFeedback, ct);
                return;
            }
            message = message with { ConversationId = dm };
            target = new SlackReplyTarget(dm);
        }
        // One name per person in every answer they give, whatever the payload carried (events carry none).
        message = message with { UserName = await UserNameAsync(message.UserId, message.UserName, ct) };

        IReadOnlyList<BotReply> replies;
        try
        {
            replies = await Engine.HandleAsync(message, ct);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            Log.TurnTimedOut(_logger, job.DeliveryId, _settings.TurnTimeout.TotalSeconds);
            await ReplyAsync(target, [BotReply.Info("Sorry, that took me too long. Please try again in a moment.")], NoFeedback, stoppingToken);
            return;
        }

        var feedback = new Dictionary<int, long>();
        for (var i = 0; i < replies.Count; i++)
            if (replies[i].Kind == ReplyKind.KnowledgeAnswer && replies[i].Citations.Count > 0 && message.Text is { Length: > 0 } question)
                feedback[i] = await _store.AddQuestionAsync(job.TeamId, message.ConversationKey, message.UserId, question,
                    replies[i].Citations.Select(c => c.NoteId), ct);

        var thread = target.ThreadTs
            ?? (target.AnswerThreadTs is { } answerThread && replies.All(r => r.Kind is ReplyKind.KnowledgeAnswer or ReplyKind.Reprompt or ReplyKind.Welcome or ReplyKind.Info) && replies.Any(r => r.Kind == ReplyKind.KnowledgeAnswer)
                ? answerThread : null);
        var sent = await ReplyAsync(target with { ThreadTs = thread }, replies, feedback, ct);
        Log.TurnDone(_logger, job.DeliveryId, replies.Count, sent);

        if (job.Answered is { } answered)
            await MarkAnsweredAsync(answered, message, replies, ct);
    }

    private async Task<int> ReplyAsync(SlackReplyTarget target, IReadOnlyList<BotReply> replies, IReadOnlyDictionary<int, long> feedback, CancellationToken ct)
    {
        var messages = SlackBlocks.Render(replies, _publicBaseUrl, feedback);
        if (target.ResponseUrl is { } responseUrl && target.OpenDirectMessageWith is null)
        {
            foreach (var m in messages) await _api.RespondAsync(responseUrl, m, replaceOriginal: false, ct);
            return messages.Count;
        }
        if (target.Channel is null) return 0;
        foreach (var m in messages) await _api.PostMessageAsync(target.Channel, m, target.ThreadTs, ct);
        return messages.Count;
    }

    private async Task PostAsync(string channel, IReadOnlyList<BotReply> replies, string? threadTs, CancellationToken ct)
    {
        foreach (var m in SlackBlocks.Render(replies, _publicBaseUrl))
            await _api.PostMessageAsync(channel, m, threadTs, ct);
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
        var blocks = ReplaceBlocks(answered.Blocks, $"{SlackBlocks.QuestionBlock}{answered.QuestionKey}:", note);
        await _api.UpdateAsync(answered.Channel, answered.Ts, new SlackMessage(FallbackOf(blocks), blocks), ct);
    }

    private async Task RunFeedbackAsync(SlackFeedbackJob job, CancellationToken ct)
    {
        if (!await _store.RateAsync(job.QuestionId, job.UserId, job.UserName, job.Rating, ct)) return;
        Log.FeedbackRecorded(_logger, job.QuestionId, job.Rating);
        var said = job.Rating == FeedbackRating.Helpful ? "helpful" : "not helpful";
        var note = $"Feedback: {said}, from {SlackText.Escape(job.UserName)}. Thank you.";
        if (job.MessageTs is not null && job.Blocks is not null)
        {
            var id = job.QuestionId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var blocks = ReplaceBlocks(job.Blocks, $"{SlackBlocks.FeedbackBlock}{id}", note, exact: true);
            await _api.UpdateAsync(job.Channel, job.MessageTs, new SlackMessage(FallbackOf(blocks), blocks), ct);
        }
        else if (job.ResponseUrl is not null)
        {
            await _api.RespondAsync(job.ResponseUrl, new SlackMessage(note, [SlackBlocks.Context(note)]), replaceOriginal: false, ct);
        }
    }

    /// <summary>The message's blocks with the matching input blocks removed and a context line in place of the first.</summary>
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

    private static string FallbackOf(JsonArray blocks)
    {
        // Section texts are already escaped mrkdwn; reuse them as the fallback.
        var texts = blocks.Select(b => b?["type"]?.GetValue<string>() == "section" ? b["text"]?["text"]?.GetValue<string>() : null)
            .Where(t => t is not null);
        var text = string.Join("\n\n", texts);
        return text.Length == 0 ? "Updated" : text.Length <= SlackBlocks.MaxFallbackText ? text : text[..SlackBlocks.MaxFallbackText];
    }

    private async Task<string> UserNameAsync(string userId, string fallback, CancellationToken ct)
    {
        if (_names.TryGetValue(userId, out var known)) return known;
        var name = await _api.UserNameAsync(userId, ct);
        if (name is null) return fallback;
        if (_names.Count < 10_000) _names[userId] = name;
        return name;
    }
}
