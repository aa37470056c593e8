using Dapper;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Storage;
using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Conversation;

public sealed class ReviewConversationTests
{
    [Fact]
    public async Task Start_review_asks_the_first_question()
    {
        await using var bot = await BotHarness.StartAsync();
        var reply = await bot.Send("start review Acme Health");
        Assert.Contains("Starting the security review of Acme Health", reply.Text);
        Assert.Equal("service_description", reply.Question?.Key);
        Assert.Equal(1, reply.Question?.Number);
    }

    [Fact]
    public async Task Whole_review_is_walked_and_completion_is_announced_in_plain_words()
    {
        await using var bot = await BotHarness.StartAsync();
        var first = await bot.Send("start review Acme Health");
        var (last, asked) = await ReviewWalker.WalkToEndAsync(bot, first);

        Assert.Contains("The review of Acme Health is complete", last.Text);
        Assert.Contains("handles_phi", asked);
        Assert.Contains("baa_breach_notification_days", asked);
        Assert.Equal(asked.Count, asked.Distinct().Count());

        await using var connection = await bot.Db.OpenAsync();
        var status = await connection.ExecuteScalarAsync<string>("SELECT status FROM reviews");
        Assert.Equal(ReviewStatus.Complete, status);
        var rows = await connection.QueryAsync<(string Key, string User, string Channel)>(
            "SELECT question_key, user_name, channel FROM answers");
        Assert.Equal(asked.Count, rows.Count());
        Assert.All(rows, r => { Assert.Equal("Dana", r.User); Assert.Equal("test", r.Channel); });
    }

    [Fact]
    public async Task Review_resumes_at_the_first_unanswered_question_after_restart()
    {
        await using var bot = await BotHarness.StartAsync();
        await bot.Send("start review Acme Health");
        await bot.Send("Patient scheduling SaaS");     // service_description
        await bot.Send("yes");                         // handles_phi
        await bot.RestartAsync();                      // same database, new engine

        var reply = await bot.Send("resume Acme Health", conversation: "another-chat");
        Assert.Contains("Resuming the review of Acme Health at question 3", reply.Text);
        Assert.Equal("phi_record_volume", reply.Question?.Key);
    }

    [Fact]
    public async Task Invalid_answer_is_reprompted_with_what_is_accepted_and_nothing_is_stored()
    {
        await using var bot = await BotHarness.StartAsync();
        await bot.Send("start review Acme Health");
        await bot.Send("Claims analytics");
        var reply = await bot.Send("perhaps");         // handles_phi is yes/no

        Assert.Equal(ReplyKind.Reprompt, reply.All[0].Kind);
        Assert.Contains("Answer yes or no", reply.Text);
        Assert.Equal("handles_phi", reply.Question?.Key);

        await using var connection = await bot.Db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM answers WHERE question_key = 'handles_phi'"));
        var next = await bot.Send("yes");
        Assert.Equal("phi_record_volume", next.Question?.Key);
    }

    [Fact]
    public async Task Skip_back_and_change_move_through_the_checklist_and_keep_history()
    {
        await using var bot = await BotHarness.StartAsync();
        await bot.Send("start review Acme Health");
        await bot.Send("Telehealth video visits");
        var skipped = await bot.Send("skip");          // handles_phi skipped
        Assert.Contains("Skipped question 2", skipped.Text);
        // A skipped question is unanswered, so the questions that depend on it wait until it is answered.
        Assert.Equal("data_types", skipped.Question?.Key);

        var back = await bot.Send("back");
        Assert.Equal("handles_phi", back.Question?.Key);
        Assert.Contains("skipped by Dana", back.Text);
        var answered = await bot.Send("no");
        Assert.Contains("Recorded for question 2: no", answered.Text);
        Assert.Equal("data_types", answered.Question?.Key);   // phi_record_volume no longer applies

        var change = await bot.Send("change 1");
        Assert.Equal("service_description", change.Question?.Key);
        Assert.Contains("Current answer: Telehealth video visits", change.Text);
        var corrected = await bot.Send("Telehealth video visits and e-prescribing");
        Assert.Contains("was: Telehealth video visits", corrected.Text);
        Assert.Equal("data_types", corrected.Question?.Key);  // back to the first unanswered question

        await using var connection = await bot.Db.OpenAsync();
        var history = (await connection.QueryAsync<string>(
            "SELECT value_json FROM answers WHERE question_key = 'service_description' ORDER BY id")).ToList();
        Assert.Equal(["\"Telehealth video visits\"", "\"Telehealth video visits and e-prescribing\""], history);
    }

    [Fact]
    public async Task Change_refuses_an_unknown_question_and_one_that_does_not_apply()
    {
        await using var bot = await BotHarness.StartAsync();
        await bot.Send("start review Acme Health");
        var unknown = await bot.Send("change 999");
        Assert.Contains("There is no question \"999\"", unknown.Text);
        var notAsked = await bot.Send("change soc2_period_months");
        Assert.Contains("is not asked for Acme Health", notAsked.Text);
    }

    [Fact]
    public async Task Two_people_answering_one_review_keep_both_answers_with_their_authors()
    {
        await using var bot = await BotHarness.StartAsync();
        await bot.Send("start review Acme Health", user: "dana", conversation: "dana-chat");
        await bot.Send("resume Acme Health", user: "lee", conversation: "lee-chat");

        await bot.Send("Billing platform", user: "dana", conversation: "dana-chat");
        await bot.Send("Billing and collections platform", user: "lee", conversation: "lee-chat");

        await using var connection = await bot.Db.OpenAsync();
        var rows = (await connection.QueryAsync<(string User, string Value)>(
            "SELECT user_name, value_json FROM answers WHERE question_key = 'service_description' ORDER BY id")).ToList();
        Assert.Equal([("Dana", "\"Billing platform\""), ("Lee", "\"Billing and collections platform\"")], rows);
        var status = await bot.Send("status", user: "lee", conversation: "lee-chat");
        Assert.Contains("Contributors: Lee", status.Text);
    }

    [Fact]
    public async Task Buttons_name_their_question_so_an_old_card_cannot_answer_the_current_one()
    {
        await using var bot = await BotHarness.StartAsync();
        await bot.Send("start review Acme Health");
        await bot.Send("Lab results portal");
        var atPhi = await bot.Click(ChoiceValues.Answer("handles_phi", "yes"));
        Assert.Equal("phi_record_volume", atPhi.Question?.Key);

        // A late click on the old handles_phi card corrects that answer; the open question stays open.
        var late = await bot.Click(ChoiceValues.Answer("handles_phi", "no"));
        Assert.Contains("Recorded for question 2: no", late.Text);
        Assert.Equal("data_types", late.Question?.Key);
    }

    [Fact]
    public async Task Why_explains_the_open_question_and_keeps_it_open()
    {
        await using var bot = await BotHarness.StartAsync();
        await bot.Send("start review Acme Health");
        await bot.Send("Imaging archive");
        var why = await bot.Send("why?");
        Assert.Equal(ReplyKind.KnowledgeAnswer, why.All[0].Kind);
        Assert.StartsWith("Why we ask question 2:", why.All[0].Text);
        Assert.NotEmpty(why.All[0].Citations);
        Assert.Equal("handles_phi", why.Question?.Key);
    }

    [Fact]
    public async Task A_framework_question_mid_review_is_answered_and_the_review_continues_where_it_was()
    {
        await using var bot = await BotHarness.StartAsync();
        await bot.Send("start review Acme Health");
        await bot.Send("Imaging archive");
        var reply = await bot.Send("what is a business associate agreement?");
        Assert.Equal(ReplyKind.KnowledgeAnswer, reply.All[0].Kind);
        Assert.StartsWith("Back to the review", reply.Last.Text);
        Assert.Equal("handles_phi", reply.Question?.Key);
        var next = await bot.Send("yes");
        Assert.Equal("phi_record_volume", next.Question?.Key);
    }

    [Fact]
    public async Task Type_one_report_skips_the_audit_period_length_and_no_phi_skips_hipaa_and_baa()
    {
        await using var bot = await BotHarness.StartAsync();
        var first = await bot.Send("start review Tiny Startup");
        var (_, asked) = await ReviewWalker.WalkToEndAsync(bot, first, q => q.Key switch
        {
            "handles_phi" => "no",
            "soc2_report_type" => "type I",
            _ => null,
        });
        Assert.Contains("soc2_period_end", asked);
        Assert.DoesNotContain("soc2_period_months", asked);
        Assert.DoesNotContain("hipaa_evidence", asked);
        Assert.DoesNotContain("baa_signed", asked);
        Assert.DoesNotContain("phi_record_volume", asked);
    }

    [Fact]
    public async Task Pause_then_resume_from_another_channel_continues_the_same_review()
    {
        await using var bot = await BotHarness.StartAsync();
        await bot.Send("start review Acme Health", channel: "webchat");
        await bot.Send("Care coordination app", channel: "webchat");
        var paused = await bot.Send("pause", channel: "webchat");
        Assert.Contains("Paused the review of Acme Health", paused.Text);
        var idle = await bot.Send("yes", channel: "webchat");
        Assert.DoesNotContain("Recorded", idle.Text);

        var resumed = await bot.Send("resume acme health", user: "sam", conversation: "terminal-1", channel: "terminal");
        Assert.Equal("handles_phi", resumed.Question?.Key);
        await bot.Send("yes", user: "sam", conversation: "terminal-1", channel: "terminal");
        await using var connection = await bot.Db.OpenAsync();
        var channel = await connection.ExecuteScalarAsync<string>("SELECT channel FROM answers WHERE question_key = 'handles_phi'");
        Assert.Equal("terminal", channel);
    }

    [Fact]
    public async Task Status_counts_answered_skipped_and_remaining_per_section()
    {
        await using var bot = await BotHarness.StartAsync();
        await bot.Send("start review Acme Health");
        await bot.Send("Scheduling");
        await bot.Send("yes");
        await bot.Send("skip");
        var status = await bot.Send("status");
        Assert.Contains("Vendor profile", status.Text);
        Assert.Matches(@"2 answered, 1 skipped, \d+ remaining", status.Text);
        Assert.Contains("Open now: question 4", status.Text);
    }

    [Fact]
    public async Task A_completed_vendor_gets_a_new_review_next_time_and_vendors_lists_both_states()
    {
        await using var bot = await BotHarness.StartAsync();
        var first = await bot.Send("start review Acme Health");
        await ReviewWalker.WalkToEndAsync(bot, first);
        await bot.Send("start review Beta Labs", conversation: "chat-2");

        var vendors = await bot.Send("vendors");
        Assert.Contains("Acme Health: review 1 complete", vendors.Text);
        Assert.Contains("Beta Labs: review 1 in progress", vendors.Text);

        bot.Clock.Advance(TimeSpan.FromDays(365));
        var again = await bot.Send("start review ACME  health");
        Assert.Contains("This is review number 2", again.Text);
        Assert.Equal("service_description", again.Question?.Key);
    }

    [Fact]
    public async Task Commands_without_an_open_review_say_how_to_start_one()
    {
        await using var bot = await BotHarness.StartAsync();
        var skip = await bot.Send("skip");
        Assert.Contains("No review is open in this chat", skip.Text);
        var resume = await bot.Send("resume Nobody Inc");
        Assert.Contains("I have no review of \"Nobody Inc\"", resume.Text);
        var help = await bot.Send("help");
        Assert.Equal(ReplyKind.Welcome, help.Last.Kind);
    }

    [Fact]
    public async Task Vendor_names_are_validated()
    {
        await using var bot = await BotHarness.StartAsync();
        var tooLong = await bot.Send("start review " + new string('x', 150));
        Assert.Contains("keep it under 100", tooLong.Text);
        var symbols = await bot.Send("start review ---");
        Assert.Contains("at least one letter or digit", symbols.Text);
    }

    [Fact]
    public async Task Every_read_and_write_of_vendor_data_is_in_the_audit_log_with_actor_and_channel()
    {
        await using var bot = await BotHarness.StartAsync();
        await bot.Send("start review Acme Health", channel: "webchat");
        await bot.Send("Scheduling", channel: "webchat");
        await bot.Send("skip", channel: "webchat");
        await bot.Send("status", user: "lee", conversation: "lee", channel: "terminal");
        await bot.Send("vendors", user: "lee", conversation: "lee", channel: "terminal");
        await bot.Send("change 1", channel: "webchat");

        await using var connection = await bot.Db.OpenAsync();
        var rows = (await connection.QueryAsync<(string Action, string Actor, string Channel)>(
            "SELECT action, actor_name, channel FROM audit_log ORDER BY id")).ToList();
        Assert.Equal(
        [
            ("review_started", "Dana", "webchat"), ("answer_recorded", "Dana", "webchat"), ("answer_skipped", "Dana", "webchat"),
            ("vendors_listed", "Lee", "terminal"), ("answer_viewed", "Dana", "webchat"),
        ], rows);
    }
}
