using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace DueDiligenceBot.Tests.Channels.Slack;

/// <summary>The Slack endpoints end to end: signed requests in, the fake Slack Web API recording what goes out.</summary>
public sealed class SlackHttpTests : IAsyncLifetime
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
    public async Task Signed_slash_command_is_acknowledged_at_once_and_the_cited_answer_reaches_its_response_url()
    {
        Assert.NotEqual(80, _client.BaseAddress!.Port); // a real Kestrel port, not the in-memory test server
        var responseUrl = _slack.ResponseUrl("cmd1");
        var watch = Stopwatch.StartNew();
        var response = await _client.SendAsync(SlackTestApp.Command("what is a bridge letter", responseUrl));
        watch.Stop();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.ElapsedMilliseconds < 2000, $"ack took {watch.ElapsedMilliseconds} ms");

        var calls = await _slack.WaitForCountAsync("response_url", 1);
        var answer = Assert.Single(calls, c => c.Method == "response_url");
        Assert.EndsWith("/hooks/commands/T0001/cmd1/secret", answer.Path);
        Assert.Contains("bridge letter", answer.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("ephemeral", answer.Str("response_type"));
        // Numbered citations in a context block, and the feedback buttons.
        var context = answer.Blocks.First(b => b.GetProperty("type").GetString() == "context");
        Assert.StartsWith("[1]", context.GetProperty("elements")[0].GetProperty("text").GetString());
        Assert.Contains(answer.Blocks, b => b.TryGetProperty("block_id", out var id) && id.GetString()!.StartsWith("fb:"));
        Assert.Equal(1, _app.Count("SELECT COUNT(*) FROM slack_questions WHERE question = 'what is a bridge letter'"));
        Assert.DoesNotContain(_slack.Calls, c => c.Method == "chat.postMessage");
    }

    [Fact]
    public async Task The_same_event_delivered_three_times_is_answered_once()
    {
        var ev = SlackTestApp.DirectMessage("what is a bridge letter?", "1764000100.000100");
        for (var retry = 0; retry < 3; retry++)
        {
            var response = await _client.SendAsync(SlackTestApp.Event(ev, "Ev0DUPLICATE", retry: retry == 0 ? null : retry));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await _slack.WaitForCountAsync("chat.postMessage", 1);
        await Task.Delay(500);
        var post = Assert.Single(_slack.Posts);
        Assert.Equal("D100", post.Str("channel"));
        Assert.Equal("1764000100.000100", post.Str("thread_ts"));
        Assert.Equal("Bearer xoxb-test-token", post.Authorization);
        Assert.Equal(1, _app.Count("SELECT COUNT(*) FROM inbox WHERE source = 'slack' AND dedup_key = 'Ev0DUPLICATE'"));
    }

    [Fact]
    public async Task Forged_signature_is_refused_with_401_and_changes_nothing()
    {
        await _client.GetAsync("/healthz");
        var before = _app.TableCounts();

        var forged = SlackTestApp.Command("review Forged Inc", _slack.ResponseUrl("x"));
        forged.Headers.Remove("X-Slack-Signature");
        forged.Headers.Add("X-Slack-Signature", "v0=" + new string('0', 64));
        var response = await _client.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());

        var otherSecret = SlackTestApp.Signed("/api/slack/events",
            SlackTestApp.EventJson(SlackTestApp.DirectMessage("start review Forged Inc", "1.1"), "Ev0FORGED"), "application/json", secret: "not-our-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.SendAsync(otherSecret)).StatusCode);

        await Task.Delay(300);
        Assert.Equal(before, _app.TableCounts());
        Assert.Empty(_slack.Calls);
    }

    [Fact]
    public async Task Replayed_and_future_requests_are_refused_with_401_and_change_nothing()
    {
        await _client.GetAsync("/healthz");
        var before = _app.TableCounts();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var body = SlackTestApp.EventJson(SlackTestApp.DirectMessage("start review Replay Inc", "1.2"), "Ev0REPLAY");

        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.SendAsync(SlackTestApp.Signed("/api/slack/events", body, "application/json", now - 600))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.SendAsync(SlackTestApp.Signed("/api/slack/events", body, "application/json", now + 600))).StatusCode);

        // Tampered after signing: the body no longer matches its signature.
        var tampered = SlackTestApp.Signed("/api/slack/events", body, "application/json");
        tampered.Content = new StringContent(body.Replace("Replay Inc", "Replay Ltd"), System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.SendAsync(tampered)).StatusCode);

        var unsigned = new HttpRequestMessage(HttpMethod.Post, "/api/slack/events") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.SendAsync(unsigned)).StatusCode);

        await Task.Delay(300);
        Assert.Equal(before, _app.TableCounts());
        Assert.Empty(_slack.Calls);
    }

    [Fact]
    public async Task Url_verification_answers_the_challenge()
    {
        var body = """{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}""";
        var response = await _client.SendAsync(SlackTestApp.Signed("/api/slack/events", body, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", json.GetProperty("challenge").GetString());
    }

    [Fact]
    public async Task Requests_from_a_workspace_not_allowed_are_refused()
    {
        await _client.GetAsync("/healthz");
        var before = _app.TableCounts();
        var ev = await _client.SendAsync(SlackTestApp.Event(SlackTestApp.DirectMessage("what is soc 2", "1.3"), "Ev0FOREIGN", team: "T9999"));
        Assert.Equal(HttpStatusCode.Forbidden, ev.StatusCode);
        Assert.Equal("1", ev.Headers.GetValues("X-Slack-No-Retry").Single());
        var cmd = await _client.SendAsync(SlackTestApp.Command("what is soc 2", _slack.ResponseUrl("f"), team: "T9999"));
        Assert.Equal(HttpStatusCode.Forbidden, cmd.StatusCode);
        var click = await _client.SendAsync(SlackTestApp.Interaction(new
        {
            type = "block_actions",
            user = new { id = "U100", name = "dana", team_id = "T9999" },
            team = new { id = "T9999", domain = "elsewhere" },
            container = new { type = "message", message_ts = "1.9", channel_id = "D100", is_ephemeral = false },
            trigger_id = "9.9.9",
            actions = new[] { new { type = "button", action_id = "choice:0", block_id = "choices:0:0", value = "vendors", action_ts = "1.9" } },
        }));
        Assert.Equal(HttpStatusCode.Forbidden, click.StatusCode);
        await Task.Delay(300);
        Assert.Equal(before, _app.TableCounts());
        Assert.Empty(_slack.Calls);
    }

    [Fact]
    public async Task Bot_own_and_edited_messages_are_not_answered()
    {
        var ignored = new object[]
        {
            new { type = "message", channel_type = "im", channel = "D100", user = "UOTHERBOT", bot_id = "B999", subtype = "bot_message", text = "what is soc 2", ts = "2.1" },
            new { type = "message", channel_type = "im", channel = "D100", user = SlackTestApp.BotUser, text = "what is soc 2", ts = "2.2" },
            new { type = "message", channel_type = "im", channel = "D100", subtype = "message_changed", hidden = true, ts = "2.3" },
            new { type = "message", channel_type = "im", channel = "D100", user = "U100", subtype = "message_deleted", ts = "2.4" },
            new { type = "message", channel_type = "channel", channel = "C100", user = "U100", text = "what is soc 2", ts = "2.5" },
            new { type = "reaction_added", user = "U100", reaction = "thumbsup", event_ts = "2.6" },
        };
        var n = 0;
        foreach (var ev in ignored)
            Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(SlackTestApp.Event(ev, $"Ev0IGNORED{n++}"))).StatusCode);

        // A real question after them is answered, and it is the only thing answered.
        await _client.SendAsync(SlackTestApp.Event(SlackTestApp.DirectMessage("what is a bridge letter?", "2.7"), "Ev0REAL"));
        await _slack.WaitForCountAsync("chat.postMessage", 1);
        await Task.Delay(400);
        Assert.Equal("2.7", Assert.Single(_slack.Posts).Str("thread_ts"));
    }

    [Fact]
    public async Task A_mention_is_answered_in_its_thread_without_the_mention()
    {
        var mention = new { type = "app_mention", user = "U100", text = $"<@{SlackTestApp.BotUser}> what is a bridge letter?", ts = "3.1", channel = "C100", event_ts = "3.1" };
        await _client.SendAsync(SlackTestApp.Event(mention, "Ev0MENTION"));
        var post = (await _slack.WaitForCountAsync("chat.postMessage", 1)).First(c => c.Method == "chat.postMessage");
        Assert.Equal("C100", post.Str("channel"));
        Assert.Equal("3.1", post.Str("thread_ts"));
        Assert.Contains("bridge letter", post.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, _app.Count("SELECT COUNT(*) FROM slack_questions WHERE question = 'what is a bridge letter?'"));
    }

    [Fact]
    public async Task Typed_vendor_names_cannot_ping_the_channel_or_mention_anyone()
    {
        await _client.SendAsync(SlackTestApp.Event(SlackTestApp.DirectMessage("start review &lt;!channel&gt; &lt;@U999&gt; Acme", "4.1"), "Ev0INJECT"));
        var post = (await _slack.WaitForCountAsync("chat.postMessage", 1)).First(c => c.Method == "chat.postMessage");
        var everything = post.Text + post.BlocksJson;
        Assert.DoesNotContain("<!channel>", everything);
        Assert.DoesNotContain("<@U999>", everything);
        Assert.Contains("&lt;!channel&gt; &lt;@U999&gt; Acme", post.Text);
    }

    [Fact]
    public async Task Rate_limited_posts_wait_for_Retry_After_and_are_sent_once()
    {
        _slack.ScriptRateLimit("chat.postMessage", 1);
        var watch = Stopwatch.StartNew();
        await _client.SendAsync(SlackTestApp.Event(SlackTestApp.DirectMessage("help", "5.1"), "Ev0RATE"));
        await _slack.WaitForCountAsync("chat.postMessage", 2);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), "the retry came before Retry-After had passed");
        await Task.Delay(300);
        Assert.Equal(2, _slack.Posts.Count());
    }

    [Fact]
    public async Task Slack_errors_are_not_retried_forever()
    {
        _slack.ScriptError("chat.postMessage", "channel_not_found");
        await _client.SendAsync(SlackTestApp.Event(SlackTestApp.DirectMessage("help", "6.1"), "Ev0ERROR"));
        await _slack.WaitForCountAsync("chat.postMessage", 1);
        await Task.Delay(500);
        Assert.Single(_slack.Posts);
    }

    [Fact]
    public async Task Feedback_is_stored_with_the_question_and_replaces_the_buttons()
    {
        await _client.SendAsync(SlackTestApp.Event(SlackTestApp.DirectMessage("what is a bridge letter?", "7.1"), "Ev0FEEDBACK"));
        var post = (await _slack.WaitForCountAsync("chat.postMessage", 1)).First(c => c.Method == "chat.postMessage");
        var feedbackBlock = post.Blocks.First(b => b.TryGetProperty("block_id", out var id) && id.GetString()!.StartsWith("fb:"));
        var helpful = feedbackBlock.GetProperty("elements")[0];

        var payload = SlackInteractions.BlockActions(post, feedbackBlock.GetProperty("block_id").GetString()!, helpful);
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(SlackTestApp.Interaction(payload))).StatusCode);

        var update = (await _slack.WaitForCountAsync("chat.update", 1)).First(c => c.Method == "chat.update");
        Assert.Equal(post.Str("channel"), update.Str("channel"));
        Assert.Contains("helpful", update.BlocksJson);
        Assert.DoesNotContain("fb:", update.BlocksJson);
        Assert.Equal(1, _app.Count("SELECT COUNT(*) FROM slack_feedback f JOIN slack_questions q ON q.id = f.question_id WHERE f.rating = 'helpful' AND q.question = 'what is a bridge letter?'"));
    }

    [Fact]
    public async Task Ssl_check_is_answered_without_a_signature()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/slack/commands")
        {
            Content = new StringContent("ssl_check=1&token=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(request)).StatusCode);
        Assert.Empty(_slack.Calls);
    }

    [Fact]
    public async Task A_post_Slack_cannot_take_now_is_delivered_later_by_the_inbox_and_the_turn_runs_once()
    {
        // Every attempt of the client's own retries fails (HTTP 503), so the delivery fails; the inbox tries again later.
        for (var i = 0; i < 4; i++) _slack.ScriptStatus("chat.postMessage", 503);
        await _client.SendAsync(SlackTestApp.Event(SlackTestApp.DirectMessage("start review Later Health", "10.1"), "Ev0LATER"));

        await _slack.WaitForAsync(calls => calls.Count(c => c.Method == "chat.postMessage") >= 5, TimeSpan.FromSeconds(30));
        Assert.Contains("Later Health", _slack.Posts.Last().Text);
        Assert.Equal(1, _app.Count("SELECT COUNT(*) FROM reviews"));
        await _slack.WaitForAsync(_ => _app.Count("SELECT COUNT(*) FROM inbox WHERE dedup_key = 'Ev0LATER' AND status = 'delivered'") == 1);
    }

    [Fact]
    public async Task A_click_on_an_ephemeral_reply_is_answered_at_its_response_url()
    {
        await _client.SendAsync(SlackTestApp.Command("help", _slack.ResponseUrl("help")));
        var help = (await _slack.WaitForCountAsync("response_url", 1)).First(c => c.Method == "response_url");
        var actions = help.Blocks.First(b => b.GetProperty("type").GetString() == "actions");
        var vendors = actions.GetProperty("elements").EnumerateArray().First(e => e.GetProperty("value").GetString() == "vendors");

        var payload = new
        {
            type = "block_actions",
            user = new { id = "U100", username = "dana", name = "dana", team_id = SlackTestApp.Team },
            team = new { id = SlackTestApp.Team, domain = "example" },
            container = new { type = "message", message_ts = "11.1", channel_id = "C200", is_ephemeral = true },
            channel = new { id = "C200", name = "general" },
            trigger_id = "11.2.3",
            response_url = _slack.ResponseUrl("ephemeral"),
            actions = new[] { new { type = "button", action_id = vendors.GetProperty("action_id").GetString(), block_id = actions.GetProperty("block_id").GetString(), value = "vendors", action_ts = "11.3" } },
        };
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(SlackTestApp.Interaction(payload))).StatusCode);
        var answer = (await _slack.WaitForCountAsync("response_url", 2)).Last(c => c.Method == "response_url");
        Assert.EndsWith("/T0001/ephemeral/secret", answer.Path);
        Assert.Contains("vendor", answer.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(_slack.Calls, c => c.Method is "chat.postMessage" or "chat.update");
    }

    [Fact]
    public async Task A_response_url_outside_Slack_is_never_called()
    {
        await _client.SendAsync(SlackTestApp.Command("help", "http://169.254.169.254/latest/meta-data"));
        await _client.SendAsync(SlackTestApp.Command("help", _slack.ResponseUrl("after")));
        await _slack.WaitForCountAsync("response_url", 1);
        await Task.Delay(300);
        Assert.Single(_slack.Calls, c => c.Method == "response_url");
    }
}
