using System.Net;
using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Channels.Slack;

public sealed class SlackOptionsTests
{
    [Fact]
    public async Task Without_Slack_settings_the_endpoints_are_not_there()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient();
        var response = await client.SendAsync(SlackTestApp.Command("help", "https://hooks.slack.com/commands/T/1/x"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("Slack:BotToken", "", "Slack:BotToken")]
    [InlineData("Slack:BotToken", "xoxp-user-token", "Slack:BotToken")]
    [InlineData("Slack:AppToken", "xoxb-not-an-app-token", "Slack:AppToken")]
    [InlineData("Slack:ApiBaseUrl", "ftp://slack.example/", "Slack:ApiBaseUrl")]
    [InlineData("Slack:SigningSecrett", "typo", "SigningSecrett")]
    public async Task Bad_Slack_settings_fail_at_start_naming_the_key(string key, string value, string named)
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var app = new SlackTestApp(slack, new Dictionary<string, string?> { [key] = value });
        var e = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(named, Flatten(e));
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Flatten(e.InnerException);
}
