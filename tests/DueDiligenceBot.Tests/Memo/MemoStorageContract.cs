using Dapper;
using DueDiligenceBot.Core.Memo;
using DueDiligenceBot.Core.Storage;
using DueDiligenceBot.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DueDiligenceBot.Tests.Memo;

/// <summary>Memo versions, decisions and the vendor list on each storage provider: a real SQLite file and a real PostgreSQL database.</summary>
public abstract class MemoStorageContract : IAsyncLifetime
{
    protected abstract Task<IDictionary<string, string?>> SettingsAsync();
    public Task InitializeAsync() => Task.CompletedTask;
    public abstract Task DisposeAsync();

    [SkippableFact]
    public async Task A_completed_review_gets_one_version_a_decision_and_a_line_in_the_vendor_list()
    {
        await using var bot = await BotHarness.StartAsync(settings: await SettingsAsync());
        var (last, _) = await ReviewWalker.WalkToEndAsync(bot, await bot.Send("start review Acme Health"),
            q => q.Key switch { "phishing_simulation" => "no", "soc2_report_type" => "3", _ => null });
        Assert.Contains(last.All, r => r.Text.Contains("is ready (version 1)", StringComparison.Ordinal));

        var memos = bot.Services.GetRequiredService<ReviewMemoService>();
        await using var connection = await bot.Db.OpenAsync();
        await using (var turn = await bot.Db.BeginTurnAsync())
        {
            var tx = turn.Transaction;
            var vendor = (await ReviewStore.FindVendorAsync(tx, "acme health"))!;
            var review = (await ReviewStore.LatestReviewAsync(tx, vendor.Id))!;
            var again = await memos.EnsureVersionAsync(tx, vendor, review, "test", CancellationToken.None);
            Assert.Equal(1, again.Row.Version); // unchanged answers: the same version
            Assert.Equal(again.Memo.Rating.Id(), again.Row.Rating);

            var invalid = await memos.DecideAsync(tx, vendor, 1, Decision.Rejected, "  ", new Actor("entra:1", "Priya", "web"), CancellationToken.None);
            Assert.Contains("A rejection needs the reason.", Assert.IsType<DecisionOutcome.Invalid>(invalid).Problems);
            var stale = await memos.DecideAsync(tx, vendor, 7, Decision.Approved, null, new Actor("entra:1", "Priya", "web"), CancellationToken.None);
            Assert.Equal(1, Assert.IsType<DecisionOutcome.Stale>(stale).LatestVersion);
            var ok = await memos.DecideAsync(tx, vendor, 1, Decision.ApprovedWithConditions, "Phishing simulations by Q2", new Actor("entra:1", "Priya", "web"), CancellationToken.None);
            Assert.Equal(1, Assert.IsType<DecisionOutcome.Recorded>(ok).Version);
            await tx.CommitAsync();
        }

        await using (var tx = await connection.BeginTransactionAsync())
        {
            Assert.Equal(1, await MemoStore.VendorCountAsync(tx, "ACME"));
            Assert.Equal(0, await MemoStore.VendorCountAsync(tx, "zeta"));
            var row = Assert.Single(await MemoStore.VendorListAsync(tx, "acme", 0, 100));
            Assert.Equal("Acme Health", row.Name);
            Assert.Equal(ReviewStatus.Complete, row.ReviewStatus);
            Assert.Equal(1, row.MemoVersion);
            Assert.Equal(Decision.ApprovedWithConditions, row.Decision);
            Assert.Equal(row.ReviewId, row.MemoReviewId);
            var decision = Assert.Single(await MemoStore.DecisionsAsync(tx, row.VendorId));
            Assert.Equal("Priya", decision.Reviewer);
            Assert.Equal(1, decision.Version);
            Assert.Equal("entra:1", await connection.ExecuteScalarAsync<string>(
                "SELECT actor_id FROM audit_log WHERE action = 'memo_decision'", transaction: tx));
            await tx.CommitAsync();
        }
    }
}

public sealed class SqliteMemoStorageContract : MemoStorageContract
{
    private readonly TempFolder _folder = new();
    protected override Task<IDictionary<string, string?>> SettingsAsync() =>
        Task.FromResult<IDictionary<string, string?>>(new Dictionary<string, string?> { ["Storage:SqlitePath"] = _folder.File("memo.db") });
    public override Task DisposeAsync() { _folder.Dispose(); return Task.CompletedTask; }
}

public sealed class PostgresMemoStorageContract : MemoStorageContract
{
    private PostgresDatabase? _db;

    protected override async Task<IDictionary<string, string?>> SettingsAsync()
    {
        Skip.If(PostgresDatabase.ServerConnectionString is null && Environment.GetEnvironmentVariable("CI") != "true",
            $"{PostgresDatabase.Variable} is not set (eval \"$(bash .ci/start-postgres)\" starts a server; .ci/run does this)");
        _db ??= await PostgresDatabase.CreateAsync();
        return new Dictionary<string, string?> { ["Storage:Provider"] = "Postgres", ["Storage:ConnectionString"] = _db.ConnectionString };
    }

    public override async Task DisposeAsync()
    {
        if (_db is not null) await _db.DisposeAsync();
    }
}
