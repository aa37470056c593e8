using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Inbox;
using DueDiligenceBot.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DueDiligenceBot.Tests.Inbox;

/// <summary>Records what would have been sent back to a channel; can be told to fail the first N times.</summary>
public sealed class RecordingDeliverer(string source = "test-channel") : IInboxDeliverer
{
    public string Source => source;
    public ConcurrentQueue<(InboxEnvelope Envelope, IReadOnlyList<BotReply> Replies)> Sent { get; } = new();
    public int FailuresLeft { get; set; }

    public Task DeliverAsync(InboxEnvelope envelope, IReadOnlyList<BotReply> replies, CancellationToken ct)
    {
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            throw new HttpRequestException("the channel is down");
        }
        Sent.Enqueue((envelope, replies));
        return Task.CompletedTask;
    }
}

public sealed class InboxTests
{
    private static readonly JsonElement Route = JsonSerializer.SerializeToElement(new { thread = "t1" });

    private static async Task<(BotHarness Bot, RecordingDeliverer Deliverer)> StartAsync()
    {
        var deliverer = new RecordingDeliverer();
        var bot = await BotHarness.StartAsync(configure: s => s.AddSingleton<IInboxDeliverer>(deliverer));
        return (bot, deliverer);
    }

    private static InboxEnvelope Envelope(string text, string user = "dana") =>
        new(new IncomingMessage("test-channel", "conv-1", user, "Dana", text), Route);

    private static async Task<int> CountAsync(BotHarness bot, string sql)
    {
        await using var connection = await bot.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<int>(sql);
    }

    [Fact]
    public async Task An_event_stored_twice_is_kept_once()
    {
        var (bot, _) = await StartAsync();
        await using var _1 = bot;
        var inbox = bot.Services.GetRequiredService<EventInbox>();
        Assert.True(await inbox.EnqueueAsync("test-channel", "evt-1", Envelope("start review Acme")));
        Assert.False(await inbox.EnqueueAsync("test-channel", "evt-1", Envelope("start review Acme")));
        Assert.True(await inbox.EnqueueAsync("other-channel", "evt-1", Envelope("start review Acme")));
        Assert.Equal(2, await CountAsync(bot, "SELECT COUNT(*) FROM inbox"));
    }

    [Fact]
    public async Task The_worker_runs_the_turn_and_delivers_its_replies_with_the_route()
    {
        var (bot, deliverer) = await StartAsync();
        await using var _1 = bot;
        var inbox = bot.Services.GetRequiredService<EventInbox>();
        var worker = bot.Services.GetRequiredService<InboxWorker>();
        await inbox.EnqueueAsync("test-channel", "evt-1", Envelope("start review Acme Health"));

        Assert.True(await worker.RunOneAsync());
        Assert.False(await worker.RunOneAsync());

        var (envelope, replies) = Assert.Single(deliverer.Sent);
        Assert.Equal("t1", envelope.Route.GetProperty("thread").GetString());
        Assert.Equal("service_description", replies.Last().Question?.Key);
        Assert.Equal(1, await CountAsync(bot, "SELECT COUNT(*) FROM inbox WHERE status = 'delivered'"));
    }

    [Fact]
    public async Task A_turn_processed_before_a_crash_is_delivered_after_restart_but_not_run_again()
    {
        var (bot, deliverer) = await StartAsync();
        await using var _1 = bot;
        var inbox = bot.Services.GetRequiredService<EventInbox>();
        await bot.Send("start review Acme Health", conversation: "conv-1", channel: "test-channel");
        await inbox.EnqueueAsync("test-channel", "evt-2", Envelope("Claims clearinghouse"));

        // The turn commits (answer stored, row marked processed), then the process dies before delivering.
        var id = await CountAsync(bot, "SELECT id FROM inbox WHERE dedup_key = 'evt-2'");
        await bot.Engine.ProcessAsync(Envelope("Claims clearinghouse").Message, id);
        await bot.RestartAsync();

        var worker = bot.Services.GetRequiredService<InboxWorker>();
        Assert.True(await worker.RunOneAsync());
        var (_, replies) = Assert.Single(deliverer.Sent);
        Assert.Contains("Recorded for question 1: Claims clearinghouse", string.Join("\n", replies.Select(r => r.Text)));
        Assert.Equal(1, await CountAsync(bot, "SELECT COUNT(*) FROM answers"));
    }

    [Fact]
    public async Task The_same_delivery_processed_twice_at_once_runs_its_turn_once()
    {
        var (bot, _) = await StartAsync();
        await using var _1 = bot;
        var inbox = bot.Services.GetRequiredService<EventInbox>();
        await bot.Send("start review Acme Health", conversation: "conv-1", channel: "test-channel");
        await inbox.EnqueueAsync("test-channel", "evt-3", Envelope("Payroll"));
        var id = await CountAsync(bot, "SELECT id FROM inbox WHERE dedup_key = 'evt-3'");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => bot.Engine.ProcessAsync(Envelope("Payroll").Message, id)));

        Assert.Equal(1, await CountAsync(bot, "SELECT COUNT(*) FROM answers"));
        Assert.All(outcomes, o => Assert.Contains("Recorded for question 1", string.Join("\n", o.Replies.Select(r => r.Text))));
    }

    [Fact]
    public async Task A_failing_channel_is_retried_with_backoff_and_given_up_after_the_last_attempt()
    {
        var (bot, deliverer) = await StartAsync();
        await using var _1 = bot;
        var inbox = bot.Services.GetRequiredService<EventInbox>();
        var worker = bot.Services.GetRequiredService<InboxWorker>();
        deliverer.FailuresLeft = 1;
        await inbox.EnqueueAsync("test-channel", "evt-4", Envelope("help"));

        Assert.True(await worker.RunOneAsync());          // attempt 1 fails
        Assert.False(await worker.RunOneAsync());         // backing off: nothing to take yet
        bot.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await worker.RunOneAsync());          // attempt 2 delivers
        Assert.Single(deliverer.Sent);

        deliverer.FailuresLeft = 100;
        await inbox.EnqueueAsync("test-channel", "evt-5", Envelope("help"));
        for (var i = 0; i < InboxWorker.MaxAttempts; i++)
        {
            Assert.True(await worker.RunOneAsync());
            bot.Clock.Advance(TimeSpan.FromMinutes(2));
        }
        Assert.False(await worker.RunOneAsync());
        Assert.Equal(1, await CountAsync(bot, "SELECT COUNT(*) FROM inbox WHERE status = 'failed' AND dedup_key = 'evt-5'"));
    }

    [Fact]
    public async Task Background_workers_deliver_without_being_stepped()
    {
        var deliverer = new RecordingDeliverer();
        await using var bot = await BotHarness.StartAsync(configure: s => s.AddSingleton<IInboxDeliverer>(deliverer), runInboxWorkers: true);
        var inbox = bot.Services.GetRequiredService<EventInbox>();
        for (var i = 0; i < 5; i++)
            await inbox.EnqueueAsync("test-channel", $"bg-{i}", new InboxEnvelope(new IncomingMessage("test-channel", $"conv-{i}", "u", "U", "help"), Route));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (deliverer.Sent.Count < 5 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(5, deliverer.Sent.Count);
    }
}
