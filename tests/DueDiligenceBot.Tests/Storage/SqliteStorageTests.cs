using System.Text.Json;
using Dapper;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Storage;
using DueDiligenceBot.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace DueDiligenceBot.Tests.Storage;

public sealed class SqliteStorageTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private async Task<SqliteConnectionFactory> MigratedAsync(string name = "store.db")
    {
        var factory = new SqliteConnectionFactory(_folder.File(name));
        await new Migrator(factory, NullLogger<Migrator>.Instance).MigrateAsync();
        return factory;
    }

    [Fact]
    public async Task Migrations_create_the_file_in_wal_mode_and_are_applied_once()
    {
        var factory = new SqliteConnectionFactory(_folder.File("nested/dir/store.db"));
        var migrator = new Migrator(factory, NullLogger<Migrator>.Instance);
        var first = await migrator.MigrateAsync();
        var second = await migrator.MigrateAsync();

        Assert.True(File.Exists(_folder.File("nested/dir/store.db")));
        Assert.Equal(Migrator.Scripts(SqlDialect.Sqlite).Count, first);
        Assert.Equal(0, second);
        await using var connection = await factory.OpenAsync();
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        var tables = (await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'")).ToHashSet();
        Assert.Superset(new HashSet<string> { "vendors", "reviews", "answers", "conversations", "audit_log", "schema_migrations" }, tables);
    }

    [Fact]
    public async Task Answers_are_append_only_and_the_newest_row_is_current()
    {
        var factory = await MigratedAsync();
        var now = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var dana = new Actor("u1", "Dana", "webchat");
        var lee = new Actor("u2", "Lee", "teams");
        long reviewId;
        await using (var connection = await factory.OpenAsync())
        await using (var tx = await connection.BeginTurnAsync())
        {
            var vendor = await ReviewStore.GetOrCreateVendorAsync(tx, "  Acme   Health ", now);
            Assert.Equal("Acme Health", vendor.Name);
            var review = await ReviewStore.CreateReviewAsync(tx, vendor.Id, "Dana", now);
            reviewId = review.Id;
            await ReviewStore.AddAnswerAsync(tx, review.Id, "handles_phi", AnswerStatus.Answered, JsonSerializer.SerializeToElement(false), dana, now);
            await ReviewStore.AddAnswerAsync(tx, review.Id, "handles_phi", AnswerStatus.Answered, JsonSerializer.SerializeToElement(true), lee, now.AddMinutes(5));
            await tx.CommitAsync();
        }
        await using (var connection = await factory.OpenAsync())
        await using (var tx = await connection.BeginTurnAsync())
        {
            var current = await ReviewStore.CurrentAnswersAsync(tx, reviewId);
            Assert.Equal("Lee", current["handles_phi"].UserName);
            Assert.True(ReviewStore.ToAnswerSet(current).Bool("handles_phi"));
            var history = await ReviewStore.AnswerHistoryAsync(tx, reviewId);
            Assert.Equal(["Dana/webchat/false", "Lee/teams/true"], history.Select(h => $"{h.UserName}/{h.Channel}/{h.ValueJson}"));
            Assert.Equal("Acme Health", (await ReviewStore.FindVendorAsync(tx, "ACME HEALTH"))?.Name);
        }
    }

    [Fact]
    public async Task A_rolled_back_turn_leaves_nothing_behind()
    {
        var factory = await MigratedAsync();
        await using (var connection = await factory.OpenAsync())
        await using (var tx = await connection.BeginTurnAsync())
        {
            await ReviewStore.GetOrCreateVendorAsync(tx, "Ghost Vendor", DateTimeOffset.UtcNow);
            await tx.RollbackAsync();
        }
        await using var check = await factory.OpenAsync();
        Assert.Equal(0, await check.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM vendors"));
    }

    [Fact]
    public async Task Saving_conversation_state_over_a_stale_version_is_a_conflict()
    {
        var factory = await MigratedAsync();
        var now = DateTimeOffset.UtcNow;
        await using var connection = await factory.OpenAsync();
        await using (var tx = await connection.BeginTurnAsync())
        {
            var (state, version) = await ConversationStore.LoadAsync<ConversationState>(tx, "webchat:c1");
            Assert.Equal(0, version);
            state.CurrentKey = "handles_phi";
            await ConversationStore.SaveAsync(tx, "webchat:c1", state, version, now);
            await tx.CommitAsync();
        }
        await using (var tx = await connection.BeginTurnAsync())
        {
            var (state, version) = await ConversationStore.LoadAsync<ConversationState>(tx, "webchat:c1");
            Assert.Equal(1, version);
            Assert.Equal("handles_phi", state.CurrentKey);
            await ConversationStore.SaveAsync(tx, "webchat:c1", state, version, now);
            // A second writer that read version 1 as well loses.
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => ConversationStore.SaveAsync(tx, "webchat:c1", state, 1, now));
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => ConversationStore.SaveAsync(tx, "webchat:c1", state, 0, now));
        }
    }

    [Fact]
    public async Task Ten_people_answering_the_same_question_at_once_lose_no_answer()
    {
        await using var bot = await BotHarness.StartAsync();
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
        Assert.Equal("ok", await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
    }

    public void Dispose() => _folder.Dispose();
}
