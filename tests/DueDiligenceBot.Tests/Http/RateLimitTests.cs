using System.Net;
using System.Net.Http.Json;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Http;

public sealed class RateLimitTests
{
    [Fact]
    public async Task A_person_sending_faster_than_the_limit_is_asked_to_wait_and_others_are_not_affected()
    {
        await using var bot = await BotHarness.StartAsync(settings: new Dictionary<string, string?> { ["Review:MaxTurnsPerUserPerMinute"] = "3" });
        for (var i = 0; i < 3; i++) Assert.Equal(ReplyKind.Welcome, (await bot.Send("help")).Last.Kind);
        var limited = await bot.Send("help");
        Assert.Contains("faster than I can take them", limited.Text);
        Assert.Equal(ReplyKind.Welcome, (await bot.Send("help", user: "lee")).Last.Kind);
    }

    [Fact]
    public async Task An_api_client_over_its_allowance_gets_429()
    {
        await using var app = new AppFactory(new Dictionary<string, string?> { ["Review:ApiRequestsPerMinutePerClient"] = "12" });
        var client = app.CreateClient();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            codes.Add((await client.PostAsJsonAsync("/api/webchat/messages", new { conversationId = "c", userId = "u", userName = "U", text = "help" })).StatusCode);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], codes);
    }
}
