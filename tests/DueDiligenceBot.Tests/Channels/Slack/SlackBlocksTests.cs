using System.Text.Json.Nodes;
using DueDiligenceBot.Channels.Slack;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Conversation;

namespace DueDiligenceBot.Tests.Channels.Slack;

public sealed class SlackBlocksTests
{
    private const string Base = "http://localhost:3978";

    private static IEnumerable<string> MrkdwnTexts(SlackMessage m) =>
        m.Blocks.SelectMany(b => b!["type"]!.GetValue<string>() switch
        {
            "section" => [b["text"]!["text"]!.GetValue<string>()],
            "context" => b["elements"]!.AsArray().Select(e => e!["text"]!.GetValue<string>()),
            _ => [],
        });

    [Fact]
    public void Typed_text_is_escaped_so_it_cannot_mention_anyone_or_link_anywhere()
    {
        var reply = BotReply.Info("Vendor <!channel> & <@U123> <https://evil.example|click me> <!here>");
        var m = Assert.Single(SlackBlocks.Render([reply], Base));
        Assert.Equal("Vendor &lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil.example|click me&gt; &lt;!here&gt;", MrkdwnTexts(m).Single());
        Assert.Equal("Vendor &lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil.example|click me&gt; &lt;!here&gt;", m.Text);
        Assert.All(MrkdwnTexts(m), t => Assert.DoesNotContain("<", t));
    }

    [Fact]
    public void Citations_are_numbered_in_a_context_block_and_only_clean_urls_become_links()
    {
        var reply = new BotReply
        {
            Kind = ReplyKind.KnowledgeAnswer,
            Text = "A bridge letter covers the gap. [1] [2]",
            Citations =
            [
                new Citation(1, "soc2-bridge-letters", "Bridge <letters>", "What it is", "AICPA guide", "https://www.aicpa.org/x?a=1&b=2"),
                new Citation(2, "other", "Other", "Part", "Evil", "https://evil.example/|<!channel>"),
            ],
        };
        var m = Assert.Single(SlackBlocks.Render([reply], Base, new Dictionary<int, long> { [0] = 42 }));
        var context = m.Blocks.Single(b => b!["type"]!.GetValue<string>() == "context")!["elements"]!.AsArray();
        Assert.Equal("[1] Bridge &lt;letters&gt; — What it is (<https://www.aicpa.org/x?a=1&amp;b=2|AICPA guide>)", context[0]!["text"]!.GetValue<string>());
        Assert.Equal("[2] Other — Part (Evil)", context[1]!["text"]!.GetValue<string>());
        var feedback = m.Blocks.Single(b => b!["block_id"]?.GetValue<string>() == "fb:42")!["elements"]!.AsArray();
        Assert.Equal(["feedback:helpful", "feedback:not_helpful"], feedback.Select(e => e!["action_id"]!.GetValue<string>()));
        Assert.All(feedback, e => Assert.Equal("42", e!["value"]!.GetValue<string>()));
    }

    [Fact]
    public void A_long_memo_is_split_within_Block_Kit_limits_and_keeps_every_line()
    {
        var lines = Enumerable.Range(1, 600).Select(i => $"Finding {i}: the vendor's <policy> & practice number {i} needs a follow-up with evidence.").ToList();
        var memo = new BotReply { Kind = ReplyKind.MemoSummary, Text = string.Join("\n", lines), Link = "/vendors/Acme%20Health" };
        var messages = SlackBlocks.Render([memo], Base);

        Assert.True(messages.Count > 1);
        Assert.All(messages, m =>
        {
            Assert.InRange(m.Blocks.Count, 1, SlackBlocks.MaxBlocks);
            Assert.False(string.IsNullOrWhiteSpace(m.Text));
            Assert.InRange(m.Text.Length, 1, 4000);
            Assert.All(m.Blocks.Where(b => b!["type"]!.GetValue<string>() == "section"),
                b => Assert.InRange(b!["text"]!["text"]!.GetValue<string>().Length, 1, SlackBlocks.MaxSectionText));
            Assert.True(m.Blocks.ToJsonString().Length < 13000);
        });
        var all = string.Join("\n", messages.SelectMany(m => m.Blocks).Where(b => b!["type"]!.GetValue<string>() == "section").Select(b => b!["text"]!["text"]!.GetValue<string>()));
        Assert.Equal(SlackText.Escape(string.Join("\n", lines)), all);
        Assert.Contains("<http://localhost:3978/vendors/Acme%20Health|Open the review page>", messages[^1].Blocks.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    [Fact]
    public void Many_choices_are_spread_over_actions_blocks_of_at_most_25()
    {
        var reply = BotReply.Info("Pick a vendor", Enumerable.Range(1, 60).Select(i => new ReplyChoice($"Vendor {i}", $"resume Vendor {i}")).ToArray());
        var m = Assert.Single(SlackBlocks.Render([reply], Base));
        var actions = m.Blocks.Where(b => b!["type"]!.GetValue<string>() == "actions").ToList();
        Assert.Equal(3, actions.Count);
        Assert.All(actions, a => Assert.InRange(a!["elements"]!.AsArray().Count, 1, 25));
        Assert.Equal(actions.Count, actions.Select(a => a!["block_id"]!.GetValue<string>()).Distinct().Count());
    }

    private static BotReply Question(QuestionType type, int options = 0, string key = "k") => new()
    {
        Kind = ReplyKind.Question,
        Text = "Question 1 · Section · 0 done, 1 to go\nPrompt?",
        Question = new QuestionPrompt(key, 1, 1, 1, "Section", "Prompt?", type,
            Enumerable.Range(1, options).Select(i => new ChoiceOption($"opt{i}", $"Option {i}")).ToList(), null, null),
        Choices = (type == QuestionType.YesNo
                ? new[] { new ReplyChoice("Yes", "@k=yes"), new ReplyChoice("No", "@k=no") }
                : type == QuestionType.Choice ? Enumerable.Range(1, options).Select(i => new ReplyChoice($"Option {i}", $"@k=opt{i}")).ToArray() : [])
            .Concat(type == QuestionType.Text ? [] : [new ReplyChoice("Unknown", "@k=unknown")])
            .Concat([new ReplyChoice("Why?", "why"), new ReplyChoice("Skip", "skip"), new ReplyChoice("Pause", "pause")]).ToList(),
    };

    private static List<string> ElementTypes(SlackMessage m) =>
        m.Blocks.SelectMany(b => b!["type"]!.GetValue<string>() switch
        {
            "actions" => b["elements"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()),
            "input" => [b["element"]!["type"]!.GetValue<string>()],
            _ => [],
        }).ToList();

    [Theory]
    [InlineData(QuestionType.YesNo, 0, new[] { "button", "button", "button", "button", "button", "button" })]
    [InlineData(QuestionType.Choice, 4, new[] { "button", "button", "button", "button", "button", "button", "button", "button" })]
    [InlineData(QuestionType.Choice, 9, new[] { "static_select", "button", "button", "button", "button" })]
    [InlineData(QuestionType.MultiChoice, 9, new[] { "multi_static_select", "button", "button", "button", "button", "button" })]
    [InlineData(QuestionType.Date, 0, new[] { "datepicker", "button", "button", "button", "button" })]
    [InlineData(QuestionType.Number, 0, new[] { "number_input", "button", "button", "button", "button" })]
    [InlineData(QuestionType.Text, 0, new[] { "plain_text_input", "button", "button", "button" })]
    public void Checklist_questions_get_the_input_their_type_needs(QuestionType type, int options, string[] expected)
    {
        var m = Assert.Single(SlackBlocks.Render([Question(type, options)], Base));
        Assert.Equal(expected, ElementTypes(m));
        Assert.All(m.Blocks.Where(b => b!["type"]!.GetValue<string>() is "actions" or "input"),
            b => Assert.StartsWith("q:k:", b!["block_id"]!.GetValue<string>()));
        Assert.Contains("Prompt?", m.Text);
    }

    [Fact]
    public void Chunks_never_split_an_escaped_entity()
    {
        var text = SlackText.Escape(new string('a', 2998) + "&&&&" + new string('b', 10));
        foreach (var chunk in SlackText.Chunk(text, SlackBlocks.MaxSectionText))
        {
            Assert.InRange(chunk.Length, 1, SlackBlocks.MaxSectionText);
            Assert.DoesNotMatch("&(?!amp;)", chunk);
        }
    }

    [Fact]
    public void Incoming_text_is_unescaped_and_the_bot_mention_removed()
    {
        Assert.Equal("what is <soc 2> & type 2?", SlackText.Unescape("what is &lt;soc 2&gt; &amp; type 2?"));
        Assert.Equal("see example.com", SlackText.Unescape("see <https://example.com|example.com>"));
        Assert.Equal("what is a bridge letter?", SlackText.StripBotMention("<@UBOT|dd> what is a bridge letter?", ["UBOT"]));
        Assert.Equal("ask <@U222> about it", SlackText.StripBotMention("<@UBOT> ask <@U222> about it", ["UBOT"]));
    }

    [Fact]
    public void Answered_question_inputs_are_replaced_by_one_context_line()
    {
        var m = Assert.Single(SlackBlocks.Render([Question(QuestionType.YesNo)], Base));
        var updated = SlackWorker.ReplaceBlocks(m.Blocks, "q:k:", "✅ Recorded — answered by Dana");
        Assert.DoesNotContain(updated, b => b!["type"]!.GetValue<string>() == "actions");
        Assert.Equal("✅ Recorded — answered by Dana", updated[^1]!["elements"]![0]!["text"]!.GetValue<string>());
    }
}
