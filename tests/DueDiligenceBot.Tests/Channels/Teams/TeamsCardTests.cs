using System.Text.Json;
using System.Text.Json.Nodes;
using DueDiligenceBot.Channels.Teams;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Channels.Teams;

public sealed class TeamsCardTests
{
    private const string BaseUrl = "https://ddbot.example.com";

    /// <summary>Every kind of card the bot sends, from real engine replies where the engine makes them.</summary>
    private static async Task<Dictionary<string, JsonObject>> EveryCardAsync()
    {
        await using var bot = await BotHarness.StartAsync();
        var cards = new Dictionary<string, JsonObject>();
        var types = new HashSet<QuestionType>();

        var welcome = (await bot.Engine.HandleAsync(new IncomingMessage("test", "c", "u", "Dana", null)))[0];
        cards["welcome"] = TeamsCards.For(welcome, BaseUrl)!;

        var current = await bot.Send("start review Acme Health");
        for (var turn = 0; turn < 200 && current.Question is { } q; turn++)
        {
            var reply = current.All.Last(r => r.Question is not null);
            if (types.Add(q.Type) || q.Number <= 3)
            {
                cards[$"question-{q.Number}-{q.Type}"] = TeamsCards.For(reply, BaseUrl)!;
                cards[$"answered-{q.Number}"] = TeamsCards.Answered(q, $"Recorded for question {q.Number}: {ReviewWalker.DefaultAnswer(q)}.", "Dana");
            }
            if (q.Number == 2)
            {
                var why = await bot.Send("why?");
                cards["why-answer"] = TeamsCards.For(why.All[0], BaseUrl)!;
                Assert.NotEmpty(why.All[0].Citations);
            }
            current = await bot.Send(ReviewWalker.DefaultAnswer(q));
        }
        Assert.Equal(6, types.Count);
        var completed = current.All.Where(r => r.Kind == ReplyKind.MemoSummary).ToList();
        Assert.NotEmpty(completed); // the memo announced when the review completes
        cards["memo-summary-on-completion"] = TeamsCards.For(completed[0], BaseUrl)!;
        var memo = await bot.Send("memo Acme Health");
        cards["memo-summary-on-request"] = TeamsCards.For(memo.All.Single(r => r.Kind == ReplyKind.MemoSummary), BaseUrl)!;

        var knowledge = await bot.Send("what is a bridge letter?", conversation: "chat-2");
        cards["knowledge-answer"] = TeamsCards.For(knowledge.All[0], BaseUrl)!;

        await bot.Send("start review Beta Care", conversation: "chat-3");
        var paused = await bot.Send("pause", conversation: "chat-3");
        cards["paused-with-button"] = TeamsCards.For(paused.Last, BaseUrl)!;

        // The memo engineer's summary reply: rating, top findings, open items and the link.
        cards["memo-summary"] = TeamsCards.For(new BotReply
        {
            Kind = ReplyKind.MemoSummary,
            Text = "Acme Health — rating: High risk\nTop findings:\n- No SOC 2 Type 2 report\n- BAA not signed\nOpen items: 2 skipped questions",
            Link = "/vendors/Acme%20Health",
            Choices = [new ReplyChoice("Vendors", "vendors")],
        }, BaseUrl)!;
        return cards;
    }

    [NodeFact]
    public async Task Every_card_passes_Microsofts_adaptivecards_renderer_without_errors()
    {
        var cards = await EveryCardAsync();
        var file = Path.Combine(Path.GetTempPath(), $"ddbot-cards-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(cards));
        try
        {
            var result = JsonNode.Parse(await NodeTools.RunAsync("check-cards.js", file))!.AsObject();
            Assert.Equal(cards.Count, result.Count);
            var errors = result.Where(r => r.Value!.AsArray().Count > 0).Select(r => $"{r.Key}: {r.Value!.ToJsonString()}").ToList();
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [NodeFact]
    public async Task The_renderer_check_catches_a_broken_card()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ddbot-cards-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"broken":{"type":"AdaptiveCard","version":"1.5","body":[{"type":"Input.Text"},{"type":"Carousel2"}]}}""");
        try
        {
            var result = JsonNode.Parse(await NodeTools.RunAsync("check-cards.js", file))!;
            Assert.NotEmpty(result["broken"]!.AsArray());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Question_cards_use_the_input_that_fits_the_question_type()
    {
        var cards = await EveryCardAsync();
        string Of(QuestionType t) => cards.First(c => c.Key.EndsWith("-" + t, StringComparison.Ordinal)).Value.ToJsonString();
        Assert.Contains("\"Input.ChoiceSet\"", Of(QuestionType.Choice));
        Assert.Contains("\"isMultiSelect\":true", Of(QuestionType.MultiChoice));
        Assert.Contains("\"Input.Date\"", Of(QuestionType.Date));
        Assert.Contains("\"Input.Number\"", Of(QuestionType.Number));
        Assert.Contains("\"Input.Text\"", Of(QuestionType.Text));
        var yesNo = Of(QuestionType.YesNo);
        Assert.DoesNotContain("Input.", yesNo);
        foreach (var label in new[] { "\"Yes\"", "\"No\"", "\"Why?\"", "\"Skip\"", "\"Pause\"" }) Assert.Contains(label, yesNo);
        Assert.All(cards.Values, c => Assert.Equal("1.5", c["version"]!.GetValue<string>()));
        Assert.Contains("https://ddbot.example.com/vendors/Acme%20Health", cards["memo-summary"].ToJsonString());
        Assert.Contains("Action.OpenUrl", cards["memo-summary-on-request"].ToJsonString());
        Assert.Contains("rating", cards["memo-summary-on-request"].ToJsonString());
        Assert.Contains("[1]", cards["why-answer"].ToJsonString());
    }

    [Fact]
    public void Information_without_buttons_and_oversized_cards_go_out_as_plain_text()
    {
        Assert.Null(TeamsCards.For(BotReply.Info("Recorded."), BaseUrl));
        var huge = new BotReply { Kind = ReplyKind.KnowledgeAnswer, Text = new string('x', 100_000) };
        var card = TeamsCards.For(huge, BaseUrl)!;
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(card.ToJsonString()) > TeamsCards.MaxCardBytes);
        Assert.Equal(TeamsBot.MaxPlainTextChars, TeamsBot.PlainText(huge.Text).Length);
        Assert.Equal("short", TeamsBot.PlainText("short"));
    }
}
