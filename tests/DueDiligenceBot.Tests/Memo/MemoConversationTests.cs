using Dapper;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Memo;

/// <summary>The memo in chat: announced when the last question is answered, shown on <c>memo &lt;vendor&gt;</c>.</summary>
public sealed class MemoConversationTests
{
    /// <summary>Answers the whole checklist as typed text: the given answers, else a plain default per question type.</summary>
    internal static async Task<Replies> AnswerAllAsync(BotHarness bot, Replies reply, IReadOnlyDictionary<string, string> answers, string user = "dana", string conversation = "chat-1")
    {
        for (var guard = 0; reply.Question is { } q && guard < 100; guard++)
        {
            var text = answers.TryGetValue(q.Key, out var given) ? given : q.Type switch
            {
                QuestionType.YesNo => "yes",
                QuestionType.Choice or QuestionType.MultiChoice => "1",
                QuestionType.Date => "2026-09-30",
                QuestionType.Number => "12",
                _ => "none",
            };
            reply = await bot.Send(text, user, conversation);
        }
        return reply;
    }

    internal static readonly Dictionary<string, string> Startup = new()
    {
        ["service_description"] = "Remote patient monitoring",
        ["handles_phi"] = "yes",
        ["soc2_report_type"] = "type1",
        ["soc2_period_end"] = "2026-08-15",
        ["soc2_criteria"] = "security",
        ["soc2_opinion"] = "unqualified",
        ["bridge_letter"] = "no",
        ["subservice_method"] = "carve-out",
        ["subprocessors_with_soc2"] = "some",
        ["hipaa_evidence"] = "risk analysis",
        ["risk_analysis_date"] = "2026-07-01",
        ["risk_analysis_by"] = "third party",
        ["baa_breach_notification_days"] = "30",
        ["incident_response_plan"] = "1",
        ["hitrust"] = "none",
        ["byod_access_to_prod"] = "no",
    };

    [Fact]
    public async Task Answering_the_last_question_announces_the_memo_with_rating_and_link()
    {
        await using var bot = await BotHarness.StartAsync();
        var last = await AnswerAllAsync(bot, await bot.Send("start review Pulsewise"), Startup);
        var memo = Assert.Single(last.All, r => r.Kind == ReplyKind.MemoSummary);
        Assert.Contains("The risk memo for Pulsewise is ready (version 1)", memo.Text);
        Assert.Contains("rating HIGH", memo.Text);
        Assert.Contains("[moderate] SOC 2 Type I only", memo.Text);
        Assert.Equal("/vendors/Pulsewise", memo.Link);
        Assert.Contains("http://localhost:3978/vendors/Pulsewise", memo.Text);
    }

    [Fact]
    public async Task Memo_command_shows_rating_top_findings_open_items_and_the_link()
    {
        await using var bot = await BotHarness.StartAsync();
        var answers = new Dictionary<string, string>(Startup) { ["mfa_all_production"] = "unknown" };
        await AnswerAllAsync(bot, await bot.Send("start review Pulsewise"), answers);
        var reply = await bot.Send("memo pulsewise", user: "sam", conversation: "chat-2");
        Assert.Equal(ReplyKind.MemoSummary, reply.Last.Kind);
        Assert.Contains("rating HIGH", reply.Text);
        Assert.Contains("Top findings:", reply.Text);
        Assert.Contains("Open: 1 question", reply.Text);
        Assert.Equal("/vendors/Pulsewise", reply.Last.Link);
    }

    [Fact]
    public async Task Memo_of_a_review_in_progress_is_a_draft_and_stores_nothing()
    {
        await using var bot = await BotHarness.StartAsync();
        await bot.Send("start review Acme Health");
        await bot.Send("Patient portal");
        await bot.Send("yes");
        var reply = await bot.Send("memo Acme Health", conversation: "chat-2");
        Assert.Contains("Draft risk memo for Acme Health", reply.Text);
        Assert.Contains("still in progress", reply.Text);
        await using var connection = await bot.Db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM memo_versions"));
    }

    [Fact]
    public async Task A_new_review_of_the_same_vendor_starts_a_new_memo_version_that_says_what_changed()
    {
        await using var bot = await BotHarness.StartAsync();
        await AnswerAllAsync(bot, await bot.Send("start review Pulsewise"), Startup);
        bot.Clock.Advance(TimeSpan.FromDays(200));
        var second = new Dictionary<string, string>(Startup)
        {
            ["soc2_report_type"] = "type2",
            ["soc2_period_months"] = "6",
            ["soc2_period_end"] = "2027-03-31",
            ["bridge_letter"] = "yes",
        };
        // A colleague runs the second review (one person may send at most Review:MaxTurnsPerUserPerMinute turns).
        var last = await AnswerAllAsync(bot, await bot.Send("start review Pulsewise", "sam", "chat-2"), second, "sam", "chat-2");
        Assert.Contains("is ready (version 2)", Assert.Single(last.All, r => r.Kind == ReplyKind.MemoSummary).Text);

        await using var connection = await bot.Db.OpenAsync();
        var json = await connection.ExecuteScalarAsync<string>("SELECT document_json FROM memo_versions WHERE version = 2");
        var memo = DueDiligenceBot.Core.Memo.MemoJson.Deserialize(json!);
        Assert.Equal(2, memo.ReviewNumber);
        var changes = Assert.IsType<DueDiligenceBot.Core.Memo.MemoChanges>(memo.Changes);
        Assert.Equal(1, changes.PreviousReviewNumber);
        Assert.Contains("type1_only", changes.FlagsRemoved);
        Assert.Contains(changes.AnswersChanged, c => c.Key == "soc2_report_type");
    }

    [Fact]
    public async Task Correcting_an_answer_after_completion_adds_a_memo_version()
    {
        await using var bot = await BotHarness.StartAsync();
        await AnswerAllAsync(bot, await bot.Send("start review Pulsewise"), Startup);
        await bot.Send("change byod_access_to_prod");
        await bot.Send("yes");
        var reply = await bot.Send("memo Pulsewise");
        Assert.Contains("memo version 2", reply.Text);
        Assert.Contains("Personal devices can reach production", reply.Text);

        // The appendix keeps what the correction replaced, with who said it.
        await using var connection = await bot.Db.OpenAsync();
        var json = await connection.ExecuteScalarAsync<string>("SELECT document_json FROM memo_versions WHERE version = 2");
        var row = DueDiligenceBot.Core.Memo.MemoJson.Deserialize(json!).Appendix.Single(a => a.Key == "byod_access_to_prod");
        Assert.Equal("yes", row.Answer);
        Assert.StartsWith("no by Dana, ", row.Earlier);
    }
}
