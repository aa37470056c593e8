using System.Text.Json;
using DueDiligenceBot.Channels.Slack;
using Microsoft.Extensions.DependencyInjection;

namespace DueDiligenceBot.Tests.Channels.Slack;

/// <summary>Socket Mode against a loopback fake: envelopes acknowledged by id, the same handlers as HTTP, reconnection.</summary>
public sealed class SlackSocketModeTests : IAsyncLifetime
{
    private FakeSlack _slack = null!;
    private SlackTestApp _app = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlack.StartAsync();
        _app = new SlackTestApp(_slack, new Dictionary<string, string?> { ["Slack:AppToken"] = "xapp-1-test" }, http: false);
        _ = _app.Services; // starts the host, and with it the socket
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private static object EventEnvelope(string envelopeId, string eventId, string text, string ts) => new
    {
        envelope_id = envelopeId,
        type = "events_api",
        accepts_response_payload = false,
        retry_attempt = 0,
        retry_reason = "",
        payload = JsonSerializer.Deserialize<JsonElement>(SlackTestApp.EventJson(SlackTestApp.DirectMessage(text, ts), eventId)),
    };

    [Fact]
    public async Task Envelopes_are_acknowledged_by_id_and_answered_through_the_Web_API()
    {
        var socket = await _slack.NextSocketAsync();
        await socket.HelloAsync();
        var open = Assert.Single(_slack.Calls, c => c.Method == "apps.connections.open");
        Assert.Equal("Bearer xapp-1-test", open.Authorization);

        await socket.SendAsync(EventEnvelope("env-1", "Ev0SOCKET1", "what is a bridge letter?", "8.1"));
        var ack = await socket.ReceiveAsync();
        Assert.Equal("env-1", ack!.Value.GetProperty("envelope_id").GetString());

        var post = (await _slack.WaitForCountAsync("chat.postMessage", 1)).First(c => c.Method == "chat.postMessage");
        Assert.Equal("D100", post.Str("channel"));
        Assert.Equal("8.1", post.Str("thread_ts"));

        // A redelivery of the same event (as Slack does after a missed ack) is acknowledged but not answered again.
        await socket.SendAsync(EventEnvelope("env-2", "Ev0SOCKET1", "what is a bridge letter?", "8.1"));
        Assert.Equal("env-2", (await socket.ReceiveAsync())!.Value.GetProperty("envelope_id").GetString());
        await Task.Delay(400);
        Assert.Single(_slack.Posts);
    }

    [Fact]
    public async Task Slash_commands_over_the_socket_get_their_acknowledgement_payload()
    {
        var socket = await _slack.NextSocketAsync();
        await socket.HelloAsync();
        await socket.SendAsync(new
        {
            envelope_id = "env-cmd",
            type = "slash_commands",
            accepts_response_payload = true,
            payload = new
            {
                team_id = SlackTestApp.Team, channel_id = "C200", user_id = "U100", user_name = "dana", command = "/dd",
                text = "review Socket Health", response_url = _slack.ResponseUrl("sock"), trigger_id = "1.2.3",
            },
        });
        var ack = (await socket.ReceiveAsync())!.Value;
        Assert.Equal("env-cmd", ack.GetProperty("envelope_id").GetString());
        Assert.Contains("Socket Health", ack.GetProperty("payload").GetProperty("text").GetString());
        await _slack.WaitForAsync(calls => calls.Any(c => c.Method == "chat.postMessage" && c.Text.Contains("Socket Health")));
    }

    [Fact]
    public async Task A_disconnect_message_and_a_dropped_socket_both_lead_to_a_new_connection()
    {
        var first = await _slack.NextSocketAsync();
        await first.HelloAsync();
        await first.SendAsync(new { type = "disconnect", reason = "refresh_requested", debug_info = new { host = "fake" } });
        Assert.True(await first.WaitClosedAsync(), "the bot did not close the old socket");

        var second = await _slack.NextSocketAsync();
        await second.HelloAsync();
        second.Abort();

        var third = await _slack.NextSocketAsync();
        await third.HelloAsync();
        Assert.Equal(3, _slack.Calls.Count(c => c.Method == "apps.connections.open"));

        // The third connection works like the first (its ack also shows the hello was read).
        await third.SendAsync(EventEnvelope("env-3", "Ev0SOCKET3", "help", "9.1"));
        Assert.Equal("env-3", (await third.ReceiveAsync())!.Value.GetProperty("envelope_id").GetString());
        await _slack.WaitForCountAsync("chat.postMessage", 1);
        var client = _app.Services.GetRequiredService<SlackSocketMode>();
        Assert.True(client.Connections >= 2, "hellos read: " + client.Connections); // the second socket may drop before its hello is read
    }

    [Fact]
    public async Task After_a_warning_the_next_socket_opens_at_once_and_the_old_one_is_still_served_until_Slack_closes_it()
    {
        var first = await _slack.NextSocketAsync();
        await first.HelloAsync();
        await first.SendAsync(new { type = "disconnect", reason = "warning", debug_info = new { host = "fake" } });

        var second = await _slack.NextSocketAsync();
        await second.HelloAsync();

        // An envelope Slack still sends on the old socket is acknowledged and answered.
        await first.SendAsync(EventEnvelope("env-old", "Ev0WARNING", "help", "12.1"));
        Assert.Equal("env-old", (await first.ReceiveAsync())!.Value.GetProperty("envelope_id").GetString());
        await _slack.WaitForCountAsync("chat.postMessage", 1);
        first.Close();

        await second.SendAsync(EventEnvelope("env-new", "Ev0WARNING2", "help", "12.2"));
        Assert.Equal("env-new", (await second.ReceiveAsync())!.Value.GetProperty("envelope_id").GetString());
        Assert.Equal(2, _slack.Calls.Count(c => c.Method == "apps.connections.open"));
    }

    [Fact]
    public async Task A_failing_connections_open_is_retried_with_a_pause()
    {
        // The first socket of this app is already being opened; script the next open to fail.
        var first = await _slack.NextSocketAsync();
        _slack.ScriptError("apps.connections.open", "invalid_auth");
        first.Abort();
        var second = await _slack.NextSocketAsync();
        await second.HelloAsync();
        Assert.True(_slack.Calls.Count(c => c.Method == "apps.connections.open") >= 3);
    }
}
