using System.Text.Json;
using Dapper;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Inbox;
using DueDiligenceBot.Core.Storage;
using DueDiligenceBot.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace DueDiligenceBot.Tests.Storage;

/// <summary>
/// What every storage provider must do, run against a real SQLite file and a real PostgreSQL database by
/// the two classes below.
/// </summary>
public abstract class StorageContract : IAsyncLifetime
{
    protected abstract Task<IDictionary<string, string?>> SettingsAsync();
    protected abstract Task<IDbConnectionFactory> FactoryAsync();
    public virtual Task InitializeAsync() => Task.CompletedTask;
    public abstract Task DisposeAsync();

    private async Task<IDbConnectionFactory> MigratedAsync()
    {
        var factory = await FactoryAsync();
        await new Migrator(factory, NullLogger<Migrator>.Instance).MigrateAsync();
        return factory;
    }

    private async Task<BotHarness> BotAsync() => await BotHarness.StartAsync(settings: await SettingsAsync());

    [SkippableFact]
    public async Task Migrations_are_applied_once()
    {
        var factory = await FactoryAsync();
        var migrator = new Migrator(factory, NullLogger<Migrator>.Instance);
        Assert.Equal(Migrator.Scripts(factory.Dialect).Count, await migrator.MigrateAsync());
        Assert.Equal(0, await migrator.MigrateAsync());
        Assert.Equal(Migrator.Scripts(SqlDialect.Sqlite).Select(s => s.Name), Migrator.Scripts(SqlDialect.Postgres).Select(s => s.Name));
    }

    [SkippableFact]
    public async Task Answers_are_append_only_and_the_newest_row_is_current()
    {
        var factory = await MigratedAsync();
        var now = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var dana = new Actor("u1", "Dana", "webchat");
        var lee = new Actor("u2", "Lee", "teams");
        long reviewId;
        await using (var turn = await factory.BeginTurnAsync())
        {
            var tx = turn.Transaction;
            var vendor = await ReviewStore.GetOrCreateVendorAsync(tx, "  Acme   Health ", now);
            Assert.Equal("Acme Health", vendor.Name);
            var review = await ReviewStore.CreateReviewAsync(tx, vendor.Id, "Dana", now);
            reviewId = review.Id;
            await ReviewStore.AddAnswerAsync(tx, review.Id, "handles_phi", AnswerStatus.Answered, JsonSerializer.SerializeToElement(false), dana, now);
            await ReviewStore.AddAnswerAsync(tx, review.Id, "handles_phi", AnswerStatus.Answered, JsonSerializer.SerializeToElement(true), lee, now.AddMinutes(5));
            await tx.CommitAsync();
        }
        await using (var turn = await factory.BeginTurnAsync())
        {
            var tx = turn.Transaction;
            var current = await ReviewStore.CurrentAnswersAsync(tx, reviewId);
            Assert.Equal("Lee", current["handles_phi"].UserName);
            Assert.True(ReviewStore.ToAnswerSet(current).Bool("handles_phi"));
            var history = await ReviewStore.AnswerHistoryAsync(tx, reviewId);
            Assert.Equal(["Dana/webchat/false", "Lee/teams/true"], history.Select(h => $"{h.UserName}/{h.Channel}/{h.ValueJson}"));
            Assert.Equal("Acme Health", (await ReviewStore.FindVendorAsync(tx, "ACME HEALTH"))?.Name);
        }
    }

    [SkippableFact]
    public async Task A_rolled_back_turn_leaves_nothing_behind()
    {
        var factory = await MigratedAsync();
        await using (var turn = await factory.BeginTurnAsync())
        {
            var tx = turn.Transaction;
            await ReviewStore.GetOrCreateVendorAsync(tx, "Ghost Vendor", DateTimeOffset.UtcNow);
            await tx.RollbackAsync();
        }
        await using var check = await factory.OpenAsync();
        Assert.Equal(0, await check.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM vendors"));
    }

    [SkippableFact]
    public async Task Saving_conversation_state_over_a_stale_version_is_a_conflict()
    {
        var factory = await MigratedAsync();
        var now = DateTimeOffset.UtcNow;
        await using (var turn = await factory.BeginTurnAsync())
        {
            var tx = turn.Transaction;
            var (state, version) = await ConversationStore.LoadAsync<ConversationState>(tx, "webchat:c1");
            Assert.Equal(0, version);
            state.CurrentKey = "handles_phi";
            await ConversationStore.SaveAsync(tx, "webchat:c1", state, version, now);
            await tx.CommitAsync();
        }
        await using (var turn = await factory.BeginTurnAsync())
        {
            var tx = turn.Transaction;
            var (state, version) = await ConversationStore.LoadAsync<ConversationState>(tx, "webchat:c1");
            Assert.Equal(1, version);
            Assert.Equal("handles_phi", state.CurrentKey);
            await ConversationStore.SaveAsync(tx, "webchat:c1", state, version, now);
            // A second writer that read version 1 as well loses.
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => ConversationStore.SaveAsync(tx, "webchat:c1", state, 1, now));
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => ConversationStore.SaveAsync(tx, "webchat:c1", state, 0, now));
        }
    }

    [SkippableFact]
    public async Task A_committed_or_abandoned_turn_lets_the_next_writer_in_at_once()
    {
        var factory = await MigratedAsync();
        // Work after a commit (a model call, the next turn) must not wait for anything the committed turn held.
        // The 10 s bound only turns a hang into a failure; an unblocked turn starts in microseconds.
        await using (var first = await factory.BeginTurnAsync())
        {
            await ReviewStore.GetOrCreateVendorAsync(first.Transaction, "First Vendor", DateTimeOffset.UtcNow);
            await first.CommitAsync();
            await using var second = await factory.BeginTurnAsync().WaitAsync(TimeSpan.FromSeconds(10));
            await ReviewStore.GetOrCreateVendorAsync(second.Transaction, "Second Vendor", DateTimeOffset.UtcNow);
            await second.CommitAsync();
        }
        var abandoned = await factory.BeginTurnAsync();
        await ReviewStore.GetOrCreateVendorAsync(abandoned.Transaction, "Rolled Back Vendor", DateTimeOffset.UtcNow);
        await abandoned.DisposeAsync();
        await using (var writer = await factory.OpenWriterAsync().WaitAsync(TimeSpan.FromSeconds(10)))
            await writer.ExecuteAsync("UPDATE vendors SET name = name");
        await using (var third = await factory.BeginTurnAsync().WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.Equal(["First Vendor", "Second Vendor"],
                await third.Connection.QueryAsync<string>("SELECT name FROM vendors ORDER BY id", transaction: third.Transaction));
        }
    }

    [SkippableFact]
    public async Task Fifty_concurrent_turns_and_single_writes_all_commit()
    {
        var factory = await MigratedAsync();
        var turns = Enumerable.Range(0, 50).Select(async i =>
        {
            await using var turn = await factory.BeginTurnAsync();
            await ReviewStore.GetOrCreateVendorAsync(turn.Transaction, $"Vendor {i}", DateTimeOffset.UtcNow);
            await Task.Yield(); // the turn stays open across an await, as real turns do
            await turn.CommitAsync();
        });
        var writes = Enumerable.Range(0, 50).Select(async i =>
        {
            await using var writer = await factory.OpenWriterAsync();
            await writer.ExecuteAsync("INSERT INTO conversations (conversation_key, state_json, version, updated_at) VALUES (@Key, '{}', 1, 'now')", new { Key = $"k{i}" });
        });
        await Task.WhenAll(turns.Concat(writes));
        await using var check = await factory.OpenAsync();
        Assert.Equal(50, await check.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM vendors"));
        Assert.Equal(50, await check.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM conversations"));
    }

    [SkippableFact]
    public async Task Inbox_events_of_one_conversation_are_taken_in_order_and_one_at_a_time()
    {
        var factory = await MigratedAsync();
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var route = JsonSerializer.SerializeToElement(new { thread = "t" });
        InboxEnvelope Event(string conversation, string text) => new(new IncomingMessage("slack", conversation, "u1", "Dana", text), route);
        await using (var writer = await factory.OpenWriterAsync())
        {
            await InboxStore.TryEnqueueAsync(writer, "slack", "e1", Event("dm-1", "yes"), now);
            await InboxStore.TryEnqueueAsync(writer, "slack", "e2", Event("dm-1", "no"), now);
            await InboxStore.TryEnqueueAsync(writer, "slack", "e3", Event("dm-2", "start review Acme"), now);
        }
        async Task<string?> ClaimAsync()
        {
            await using var writer = await factory.OpenWriterAsync();
            var item = await InboxStore.ClaimAsync(writer, ["slack"], now, now.AddMinutes(1));
            return item?.DedupKey;
        }

        Assert.Equal("e1", await ClaimAsync());
        // e1 is being worked on: dm-1's next message waits for it, another conversation does not.
        Assert.Equal("e3", await ClaimAsync());
        Assert.Null(await ClaimAsync());
        await using (var writer = await factory.OpenWriterAsync())
            await InboxStore.MarkDeliveredAsync(writer, 1, now);
        Assert.Equal("e2", await ClaimAsync());
    }

    [SkippableFact]
    public async Task Deferred_answers_are_stored_with_the_state_save_and_rolled_back_with_a_lost_race()
    {
        var factory = await MigratedAsync();
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var dana = new Actor("u1", "Dana", "webchat");
        long vendorId, reviewId;
        await using (var turn = await factory.BeginTurnAsync())
        {
            vendorId = (await ReviewStore.GetOrCreateVendorAsync(turn.Transaction, "Acme Health", now)).Id;
            reviewId = (await ReviewStore.CreateReviewAsync(turn.Transaction, vendorId, "Dana", now)).Id;
            await ConversationStore.SaveAsync(turn.Transaction, "webchat:c1", new ConversationState(), 0, now);
            await turn.CommitAsync();
        }

        await using (var turn = await factory.BeginTurnAsync())
        {
            var inserts = new DeferredInserts();
            ReviewStore.DeferAnswerWithAudit(inserts, vendorId, reviewId, "handles_phi", AnswerStatus.Answered, JsonSerializer.SerializeToElement(true), dana, "answer_recorded", now);
            ReviewStore.DeferAnswerWithAudit(inserts, vendorId, reviewId, "phi_types", AnswerStatus.Answered, JsonSerializer.SerializeToElement("it's \"quoted\"; DROP TABLE answers"), dana, "answer_recorded", now);
            await ConversationStore.SaveAsync(turn.Transaction, "webchat:c1", new ConversationState(), 1, now, inserts);
            Assert.Equal(0, inserts.Count);
            await turn.CommitAsync();
        }
        await using (var turn = await factory.BeginTurnAsync())
        {
            var inserts = new DeferredInserts();
            ReviewStore.DeferAnswerWithAudit(inserts, vendorId, reviewId, "handles_phi", AnswerStatus.Answered, JsonSerializer.SerializeToElement(false), dana, "answer_recorded", now);
            // Version 1 is stale now (the save above made it 2): the answer must not survive the conflict.
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => ConversationStore.SaveAsync(turn.Transaction, "webchat:c1", new ConversationState(), 1, now, inserts));
        }

        await using var check = await factory.OpenAsync();
        var rows = (await check.QueryAsync<(string Key, string Value)>("SELECT question_key, value_json FROM answers ORDER BY id")).ToList();
        Assert.Equal(["handles_phi", "phi_types"], rows.Select(r => r.Key));
        Assert.True(JsonSerializer.Deserialize<bool>(rows[0].Value));
        Assert.Equal("it's \"quoted\"; DROP TABLE answers", JsonSerializer.Deserialize<string>(rows[1].Value));
        Assert.Equal(2, await check.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'answer_recorded' AND actor_id = 'u1' AND channel = 'webchat'"));
    }

    [SkippableFact]
    public async Task Ten_people_answering_the_same_question_at_once_lose_no_answer()
    {
        await using var bot = await BotAsync();
        await bot.Send("start review Acme Health", user: "lead", conversation: "lead");
        for (var i = 0; i < 10; i++)
            await bot.Send("resume Acme Health", user: $"user{i}", conversation: $"chat{i}");

        var tasks = Enumerable.Range(0, 10).Select(i => bot.Send($"Answer {i}", user: $"user{i}", conversation: $"chat{i}")).ToArray();
        var replies = await Task.WhenAll(tasks);

        Assert.All(replies, r => Assert.Contains("Recorded for question 1", r.Text));
        await using var connection = await bot.Db.OpenAsync();
        var rows = (await connection.QueryAsync<(string User, string Value)>("SELECT user_id, value_json FROM answers")).ToList();
        Assert.Equal(10, rows.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"user{i}").Order(), rows.Select(r => r.User).Order());
        if (bot.Db.Dialect == SqlDialect.Sqlite)
            Assert.Equal("ok", await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
    }

    [SkippableFact]
    public async Task A_whole_review_is_walked_and_resumed_after_a_restart()
    {
        await using var bot = await BotAsync();
        await bot.Send("start review Acme Health");
        await bot.Send("Scheduling");
        await bot.RestartAsync();
        var resumed = await bot.Send("resume Acme Health", conversation: "other");
        Assert.Equal("handles_phi", resumed.Question?.Key);
        var (last, asked) = await ReviewWalker.WalkToEndAsync(bot, resumed, conversation: "other");
        Assert.Contains("The review of Acme Health is complete", last.Text);
        await using var connection = await bot.Db.OpenAsync();
        Assert.Equal(asked.Count + 1, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM answers"));
    }
}

public sealed class SqliteStorageContract : StorageContract
{
    private readonly TempFolder _folder = new();
    protected override Task<IDictionary<string, string?>> SettingsAsync() =>
        Task.FromResult<IDictionary<string, string?>>(new Dictionary<string, string?> { ["Storage:SqlitePath"] = _folder.File("contract.db") });
    protected override Task<IDbConnectionFactory> FactoryAsync() =>
        Task.FromResult<IDbConnectionFactory>(new SqliteConnectionFactory(_folder.File("contract.db")));
    public override Task DisposeAsync() { _folder.Dispose(); return Task.CompletedTask; }
}

public sealed class PostgresStorageContract : StorageContract
{
    private PostgresDatabase? _db;
    private PostgresConnectionFactory? _factory;

    private async Task<PostgresDatabase> DbAsync()
    {
        Skip.If(PostgresDatabase.ServerConnectionString is null && Environment.GetEnvironmentVariable("CI") != "true",
            $"{PostgresDatabase.Variable} is not set (eval \"$(bash .ci/start-postgres)\" starts a server; .ci/run does this)");
        return _db ??= await PostgresDatabase.CreateAsync();
    }

    protected override async Task<IDictionary<string, string?>> SettingsAsync() => new Dictionary<string, string?>
    {
        ["Storage:Provider"] = "Postgres",
        ["Storage:ConnectionString"] = (await DbAsync()).ConnectionString,
    };

    protected override async Task<IDbConnectionFactory> FactoryAsync() => _factory ??= new PostgresConnectionFactory((await DbAsync()).ConnectionString);

    public override async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
    }
}
