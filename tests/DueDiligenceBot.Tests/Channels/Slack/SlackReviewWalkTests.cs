using System.Net;
using System.Text.Json;

namespace DueDiligenceBot.Tests.Channels.Slack;

public sealed class SlackReviewWalkTests : IAsyncLifetime
{
    private FakeSlack _slack = null!;
    private SlackTestApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlack.StartAsync();
        _app = new SlackTestApp(_slack, new Dictionary<string, string?> { ["Review:SlackChannel"] = "CSECURITY" });
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task A_full_review_is_walked_in_a_DM_with_clicks_only_and_the_memo_summary_reaches_the_security_channel()
    {
        var ack = await _client.SendAsync(SlackTestApp.Command("review Acme Health", _slack.ResponseUrl("review")));
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var ackJson = JsonDocument.Parse(await ack.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ephemeral", ackJson.GetProperty("response_type").GetString());

        await _slack.WaitForCountAsync("chat.postMessage", 1);
        Assert.Contains(_slack.Calls, c => c.Method == "conversations.open" && c.Str("users") == "U100");
        var clicks = 0;
        var kinds = new HashSet<string>();
        for (; clicks < 150; clicks++)
        {
            var posts = _slack.Posts.Where(p => p.Str("channel") == "D100").ToList();
            var latest = posts[^1];
            var question = latest.Blocks.Where(b => b.TryGetProperty("block_id", out var id) && id.GetString()!.StartsWith("q:")).ToList();
            if (question.Count == 0) break;

            var (blockId, element, overrides, state) = Choose(question);
            kinds.Add(element.GetProperty("type").GetString()!);
            var payload = SlackInteractions.BlockActions(latest, blockId, element, overrides: overrides, state: state);
            Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(SlackTestApp.Interaction(payload))).StatusCode);
            await _slack.WaitForAsync(calls => calls.Count(c => c.Method == "chat.postMessage" && c.Str("channel") == "D100") > posts.Count);
        }

        var last = _slack.Posts.Last(p => p.Str("channel") == "D100");
        Assert.Contains("review of Acme Health is complete", last.Text);
        Assert.True(clicks >= 20, $"only {clicks} clicks");
        Assert.Superset(new HashSet<string> { "button", "datepicker", "plain_text_input", "number_input" }, kinds);

        // The answered questions' inputs were replaced with the recorded answer and its author.
        var updates = (await _slack.WaitForCountAsync("chat.update", clicks)).Where(c => c.Method == "chat.update").ToList();
        Assert.All(updates, u => Assert.Contains("answered by", u.BlocksJson));
        Assert.Contains(updates, u => u.BlocksJson.Contains("Recorded for question 1") && u.BlocksJson.Contains("Person U100"));

        // Every answer is stored with its author and the Slack channel.
        Assert.Equal(0, _app.Count("SELECT COUNT(*) FROM answers WHERE channel <> 'slack' OR user_id <> 'U100'"));
        Assert.True(_app.Count("SELECT COUNT(*) FROM answers") >= 20);

        var security = (await _slack.WaitForAsync(calls => calls.Any(c => c.Method == "chat.postMessage" && c.Str("channel") == "CSECURITY")))
            .Single(c => c.Method == "chat.postMessage" && c.Str("channel") == "CSECURITY");
        Assert.Contains("Acme Health", security.Text);
        Assert.Contains("completed", security.Text);
        Assert.Contains("Risk memo for Acme Health", security.Text);
        Assert.Contains("rating", security.Text);
        Assert.Contains("/vendors/Acme%20Health", security.BlocksJson);
        Assert.Null(security.Str("thread_ts"));

        // Later, anyone can ask for the memo with /dd memo; it comes back at the command's response_url.
        await _client.SendAsync(SlackTestApp.Command("memo Acme Health", _slack.ResponseUrl("memo"), user: "U300"));
        var memo = (await _slack.WaitForAsync(calls => calls.Any(c => c.Method == "response_url" && c.Path.Contains("/memo/"))))
            .Single(c => c.Method == "response_url" && c.Path.Contains("/memo/"));
        Assert.Contains("Risk memo for Acme Health", memo.Text);
    }

    /// <summary>What a person would pick: the first answer button, the first option, a date, a number, a few words.</summary>
    private static (string BlockId, JsonElement Element, object? Overrides, object? State) Choose(List<JsonElement> blocks)
    {
        foreach (var block in blocks)
        {
            var id = block.GetProperty("block_id").GetString()!;
            if (block.GetProperty("type").GetString() == "input")
            {
                var input = block.GetProperty("element");
                var value = input.GetProperty("type").GetString() == "number_input" ? "12" : "none";
                return (id, input, new { value }, null);
            }
            foreach (var element in block.GetProperty("elements").EnumerateArray())
            {
                var type = element.GetProperty("type").GetString();
                var actionId = element.GetProperty("action_id").GetString()!;
                switch (type)
                {
                    case "datepicker":
                        return (id, element, new { selected_date = "2026-06-30" }, null);
                    case "static_select":
                        return (id, element, new { selected_option = element.GetProperty("options")[0] }, null);
                    case "multi_static_select":
                        var submit = block.GetProperty("elements").EnumerateArray().First(e => e.GetProperty("action_id").GetString()!.StartsWith("multisubmit:"));
                        var options = element.GetProperty("options").EnumerateArray().Take(2).ToArray();
                        var state = new Dictionary<string, object> { [id] = new Dictionary<string, object> { [actionId] = new { type = "multi_static_select", selected_options = options } } };
                        return (id, submit, null, state);
                    case "button" when element.GetProperty("value").GetString()!.StartsWith('@') && !element.GetProperty("value").GetString()!.EndsWith("=unknown"):
                        return (id, element, null, null);
                }
            }
        }
        throw new InvalidOperationException("no answer input in " + JsonSerializer.Serialize(blocks));
    }
}
