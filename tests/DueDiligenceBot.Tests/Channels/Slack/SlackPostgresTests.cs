using System.Net;
using Dapper;
using DueDiligenceBot.Channels.Slack;
using DueDiligenceBot.Core.Storage;
using DueDiligenceBot.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DueDiligenceBot.Tests.Channels.Slack;

/// <summary>Migration 0004 and the Slack SQL on PostgreSQL, and the Slack path end to end on it.</summary>
public sealed class SlackPostgresTests
{
    [PostgresFact]
    public async Task Questions_and_feedback_are_stored_on_PostgreSQL_with_one_rating_per_person()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var db = new PostgresConnectionFactory(database.ConnectionString);
        await new Migrator(db, NullLogger<Migrator>.Instance).MigrateAsync();
        var store = new SlackStore(db, TimeProvider.System);

        var id = await store.AddQuestionAsync("T0001", "slack:D100", "U100", "what is a bridge letter?", ["soc2-bridge-letters", "soc2-bridge-letters"], default);
        Assert.True(await store.RateAsync(id, "U100", "Dana", FeedbackRating.Helpful, default));
        Assert.True(await store.RateAsync(id, "U100", "Dana", FeedbackRating.NotHelpful, default));
        Assert.True(await store.RateAsync(id, "U200", "Sam", FeedbackRating.Helpful, default));
        Assert.False(await store.RateAsync(id + 1000, "U100", "Dana", FeedbackRating.Helpful, default));
        Assert.False(await store.RateAsync(id, "U100", "Dana", "meh", default));

        await using var connection = new NpgsqlConnection(database.ConnectionString);
        Assert.Equal("soc2-bridge-letters", await connection.ExecuteScalarAsync<string>("SELECT note_ids FROM slack_questions WHERE id = @id", new { id }));
        var ratings = (await connection.QueryAsync<(string User, string Rating)>("SELECT user_id, rating FROM slack_feedback ORDER BY user_id")).ToList();
        Assert.Equal([("U100", "not_helpful"), ("U200", "helpful")], ratings);
    }

    [PostgresFact]
    public async Task The_same_event_delivered_three_times_is_answered_once_on_PostgreSQL()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var slack = await FakeSlack.StartAsync();
        await using var app = new SlackTestApp(slack, new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = database.ConnectionString,
        });
        var client = app.CreateClient();
        var ev = SlackTestApp.DirectMessage("what is a bridge letter?", "20.1");
        for (var retry = 0; retry < 3; retry++)
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(SlackTestApp.Event(ev, "Ev0PGDUP", retry: retry == 0 ? null : retry))).StatusCode);
        await slack.WaitForCountAsync("chat.postMessage", 1);
        await Task.Delay(500);
        Assert.Single(slack.Posts);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inbox WHERE dedup_key = 'Ev0PGDUP'"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM slack_questions"));
    }
}
