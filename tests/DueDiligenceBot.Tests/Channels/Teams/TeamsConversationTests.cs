using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;

namespace DueDiligenceBot.Tests.Channels.Teams;

/// <summary>Teams payloads as Microsoft documents them, through the real endpoint, engine and Connector client.</summary>
public sealed class TeamsConversationTests
{
    private static string Json(object o) => JsonSerializer.Serialize(o);

    [Fact]
    public async Task A_mention_in_a_channel_is_stripped_using_the_entity_and_the_reply_goes_into_the_thread()
    {
        await using var host = await TeamsTestHost.StartAsync();
        var activity = host.Fixture("mention-in-channel.json");
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(activity)).StatusCode);

        var replies = await host.Fake.WaitForAsync(c => c.Type == "message", count: 2);
        Assert.Contains("Starting the security review of Acme Health", replies[0].Readable);
        // The thread's conversation id (with ;messageid=) and the activity id: the reply lands in the thread.
        var conversation = activity["conversation"]!["id"]!.GetValue<string>();
        Assert.All(replies, r => Assert.Equal($"/v3/conversations/{Uri.EscapeDataString(conversation)}/activities/{activity["id"]}", r.RawPath));
        Assert.Contains("%3Bmessageid%3D", replies[0].RawPath);

        // The answer's author is the Teams user.
        using var db = new SqliteConnection($"Data Source={host.App.DatabasePath}");
        Assert.Equal("Megan Bowen", db.ExecuteScalar<string>("SELECT started_by FROM reviews"));
        // Talking in a channel stores where that channel is, for proactive posts.
        string? stored = null;
        for (var i = 0; i < 100 && stored is null; i++, await Task.Delay(50))
            stored = db.ExecuteScalar<string?>("SELECT conversation_id FROM teams_conversation_references");
        Assert.Equal("19:8d7f6a2b9c1e4f3aa0b1c2d3e4f5a6b7@thread.tacv2", stored);
    }

    [Fact]
    public void Mentions_are_stripped_by_entity_not_by_guessing()
    {
        var a = new DueDiligenceBot.Channels.Teams.Activity
        {
            Text = "<at>Due Diligence</at> what is a <at>bridge letter</at>?",
            Recipient = new() { Id = "28:bot" },
            Entities =
            [
                JsonSerializer.SerializeToElement(new { type = "mention", mentioned = new { id = "28:bot", name = "Due Diligence" }, text = "<at>Due Diligence</at>" }),
                JsonSerializer.SerializeToElement(new { type = "mention", mentioned = new { id = "29:someone", name = "bridge letter" }, text = "<at>bridge letter</at>" }),
            ],
        };
        Assert.Equal("what is a <at>bridge letter</at>?", DueDiligenceBot.Channels.Teams.TeamsActivityMapper.StripRecipientMention(a));
    }

    [Fact]
    public async Task An_Action_Submit_records_the_answer_updates_the_card_with_its_author_and_asks_the_next_question()
    {
        await using var host = await TeamsTestHost.StartAsync();
        await host.PostAsync(host.Message("start review Acme Health"));
        // Wait for the card with that question: on a busy machine the turn's other messages may come before or
        // after it, so "the latest card" is not enough.
        var first = (await host.Fake.WaitForAsync(c => c.Type == "message" && c.Card is not null && c.Readable.Contains("Question 1", StringComparison.Ordinal)))[^1];
        Assert.Contains("Question 1", first.Readable);
        host.Fake.ClearCalls();

        // Question 1 is free text: the card's input "answer" and the Answer button's data arrive in value.
        var submit = host.Fixture("action-submit.json", new Dictionary<string, string>
        {
            ["value"] = Json(new { action = "answer", questionKey = "service_description", answer = "Scheduling SaaS for clinics" }),
            ["replyToId"] = "reply-2",
        });
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(submit)).StatusCode);

        var update = (await host.Fake.WaitForAsync(c => c.Method == "PUT"))[0];
        Assert.Equal($"/v3/conversations/{Uri.EscapeDataString(TeamsTestHost.PersonalConversation)}/activities/reply-2", update.RawPath);
        Assert.Contains("Recorded for question 1: Scheduling SaaS for clinics", update.Readable);
        Assert.Contains("Answered by Megan Bowen", update.Readable);
        Assert.DoesNotContain("actions", update.Card!.ToJsonString()); // cannot be submitted twice

        var next = (await host.Fake.WaitForAsync(c => c.Type == "message" && c.Card is not null && c.Readable.Contains("Question 2", StringComparison.Ordinal)))[^1];
        Assert.Contains("Question 2", next.Readable);
        var yes = next.Card!.ToJsonString();
        Assert.Contains("@handles_phi=yes", yes);

        // A yes/no button click: the button's data is the whole answer.
        host.Fake.ClearCalls();
        var click = host.Fixture("action-submit.json", new Dictionary<string, string>
        {
            ["value"] = Json(new { action = "@handles_phi=yes", questionKey = "handles_phi" }),
            ["replyToId"] = "reply-4",
        });
        await host.PostAsync(click);
        var put = (await host.Fake.WaitForAsync(c => c.Method == "PUT"))[0];
        Assert.Contains("Recorded for question 2: yes", put.Readable);
        Assert.Contains("Question 3", (await host.Fake.WaitForAsync(c => c.Type == "message" && c.Card is not null && c.Readable.Contains("Question 3", StringComparison.Ordinal)))[^1].Readable);
    }

    [Fact]
    public async Task A_redelivered_activity_is_handled_once()
    {
        await using var host = await TeamsTestHost.StartAsync();
        var activity = host.Message("start review Acme Health");
        await host.PostAsync(activity);
        await host.PostAsync(activity);
        await host.Fake.WaitForAsync(c => c.Type == "message", count: 2);
        await Task.Delay(500);
        Assert.Equal(2, host.Fake.Messages.Count);
    }

    [Fact]
    public async Task An_Action_Execute_invoke_is_answered_inline_with_the_updated_card()
    {
        await using var host = await TeamsTestHost.StartAsync();
        await host.PostAsync(host.Message("start review Acme Health"));
        await host.Fake.WaitForAsync(c => c.Type == "message", count: 2);
        await host.PostAsync(host.Message("Scheduling SaaS"));
        await host.Fake.WaitForAsync(c => c.Type == "message" && c.Readable.Contains("Question 2"));

        var invoke = host.Fixture("invoke-action-execute.json", new Dictionary<string, string>
        {
            ["data"] = Json(new { action = "@handles_phi=no", questionKey = "handles_phi" }),
        });
        var response = await host.PostAsync(invoke);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(200, body["statusCode"]!.GetValue<int>());
        Assert.Equal("application/vnd.microsoft.card.adaptive", body["type"]!.GetValue<string>());
        Assert.Contains("Recorded for question 2: no", body["value"]!.ToJsonString());
        Assert.Contains("Answered by Megan Bowen", body["value"]!.ToJsonString());
        // The next question follows through the Connector.
        await host.Fake.WaitForAsync(c => c.Type == "message" && c.Readable.Contains("Question 4")); // 3 is asked only with PHI
    }

    [Fact]
    public async Task An_invoke_that_is_not_Action_Execute_is_answered_400()
    {
        await using var host = await TeamsTestHost.StartAsync();
        var invoke = host.Fixture("invoke-action-execute.json");
        invoke["value"]!["action"]!["type"] = "Action.Submit";
        Assert.Equal(HttpStatusCode.BadRequest, (await host.PostAsync(invoke)).StatusCode);
    }

    [Fact]
    public async Task Installing_in_a_team_sends_the_welcome_card_and_stores_the_channel_for_the_memo()
    {
        await using var host = await TeamsTestHost.StartAsync();
        var added = host.Fixture("conversation-update-bot-added.json");
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(added)).StatusCode);

        var welcome = (await host.Fake.WaitForAsync(c => c.Type == "message"))[0];
        Assert.Contains("DueDiligenceBot", welcome.Readable);
        Assert.Equal($"/v3/conversations/{Uri.EscapeDataString(TeamsTestHost.TeamChannel)}/activities", welcome.RawPath);
        using var db = new SqliteConnection($"Data Source={host.App.DatabasePath}");
        var row = db.QuerySingle<(string Id, string Url, string Tenant)>("SELECT conversation_id, service_url, tenant_id FROM teams_conversation_references");
        Assert.Equal((TeamsTestHost.TeamChannel, host.Fake.ServiceUrl, TeamsTestHost.TenantId), row);
    }

    [Fact]
    public async Task Other_activity_types_are_answered_200_and_ignored()
    {
        await using var host = await TeamsTestHost.StartAsync();
        var reaction = host.Message("");
        reaction["type"] = "messageReaction";
        reaction["reactionsAdded"] = new JsonArray(new JsonObject { ["type"] = "like" });
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(reaction)).StatusCode);
        var install = host.Message("");
        install["type"] = "installationUpdate";
        install["action"] = "add";
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(install)).StatusCode);
        await Task.Delay(300);
        Assert.Empty(host.Fake.Messages);
    }

    [Fact]
    public async Task A_completed_review_posts_the_summary_to_the_configured_Teams_channel()
    {
        await using var host = await TeamsTestHost.StartAsync(new Dictionary<string, string?> { ["Review:TeamsChannel"] = TeamsTestHost.TeamChannel });
        await host.PostAsync(host.Fixture("conversation-update-bot-added.json"));
        await host.Fake.WaitForAsync(c => c.Type == "message");

        // Walk a review to its end in a personal chat, answering with the card's default for each question.
        await host.PostAsync(host.Message("start review Acme Health"));
        for (var turn = 0; turn < 120; turn++)
        {
            var last = (await host.Fake.WaitForAsync(c => c.Type == "message" && (c.Readable.Contains("Question ") || c.Readable.Contains("is complete")), count: turn + 1))[^1];
            if (last.Readable.Contains("is complete")) break;
            var card = last.Card!.ToJsonString();
            var answer = card.Contains("Input.Date") ? "2026-06-30" : card.Contains("Input.Number") ? "12" : card.Contains("@") && card.Contains("=yes") ? "yes"
                : card.Contains("Input.ChoiceSet") ? "1" : "none";
            await host.PostAsync(host.Message(answer));
        }
        var post = (await host.Fake.WaitForAsync(c => c.Type == "message" && c.RawPath == $"/v3/conversations/{Uri.EscapeDataString(TeamsTestHost.TeamChannel)}/activities" && c.Readable.Contains("Acme Health"), count: 1))[0];
        Assert.StartsWith("Bearer " + FakeBotFramework.AccessTokenPrefix, post.Authorization);
    }

    [Fact]
    public async Task The_Connector_answering_429_then_502_is_retried_and_the_reply_arrives()
    {
        await using var host = await TeamsTestHost.StartAsync();
        host.Fake.ScriptStatuses(200, 429, 502); // typing ok, then the first reply is refused twice
        await host.PostAsync(host.Message("help"));
        var calls = await host.Fake.WaitForAsync(c => c.Type == "message", count: 3);
        Assert.All(calls, c => Assert.Contains("SOC 2", c.Readable));
    }

    // Also guards a Core fix: InboxStore.ClaimAsync read outcome_json through Dapper's underscore matching, which
    // only ReviewStore's static constructor switches on; the inbox's first claim in a process runs before any turn,
    // so a redelivered processed turn sent no replies.
    [Fact]
    public async Task A_reply_the_Connector_refused_with_503_is_sent_again_by_the_inbox_and_the_turn_runs_once()
    {
        await using var host = await TeamsTestHost.StartAsync();
        host.Fake.ScriptStatuses(200, 503); // typing ok, then the first reply fails (503 is not retried in place)
        await host.PostAsync(host.Message("start review Acme Health"));
        var replies = await host.Fake.WaitForAsync(c => c.Type == "message" && c.Readable.Contains("Question 1"), timeoutMs: 30_000);
        Assert.Single(replies);
        using var db = new SqliteConnection($"Data Source={host.App.DatabasePath}");
        Assert.Equal(1, db.ExecuteScalar<int>("SELECT COUNT(*) FROM reviews"));
        Assert.Equal("delivered", db.ExecuteScalar<string>("SELECT status FROM inbox"));
    }
}
