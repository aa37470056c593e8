using System.Net;
using DueDiligenceBot.Channels.Slack;
using DueDiligenceBot.Core;
using DueDiligenceBot.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

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

    /// <summary>The Slack section bound and validated the way the app does it at start.</summary>
    private static string? Problem(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddValidatedOptions<SlackOptions>(configuration, SlackOptions.SectionName);
        using var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<SlackOptions>>().Value;
            return null;
        }
        catch (OptionsValidationException e) { return string.Join("; ", e.Failures); }
        catch (InvalidOperationException e) { return e.Message; }
    }

    [Theory]
    [InlineData("Slack:BotToken", "", "Slack:BotToken (xoxb-…) is required")]
    [InlineData("Slack:BotToken", "xoxp-user-token", "Slack:BotToken must be a bot token")]
    [InlineData("Slack:AppToken", "xoxb-not-an-app-token", "Slack:AppToken must be an app-level token")]
    [InlineData("Slack:ApiBaseUrl", "ftp://slack.example/", "Slack:ApiBaseUrl must be an absolute http(s) URL")]
    [InlineData("Slack:AllowedTeamIds:0", " ", "Slack:AllowedTeamIds")]
    [InlineData("Slack:SigningSecrett", "typo", "SigningSecrett")]
    public void Bad_Slack_settings_are_refused_naming_the_key(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Slack:SigningSecret"] = "secret", ["Slack:BotToken"] = "xoxb-1", [key] = value };
        Assert.Contains(expected, Problem(settings));
    }

    [Fact]
    public void Good_Slack_settings_and_none_at_all_are_accepted()
    {
        Assert.Null(Problem([]));
        Assert.Null(Problem(new() { ["Slack:SigningSecret"] = "secret", ["Slack:BotToken"] = "xoxb-1", ["Slack:AllowedTeamIds:0"] = "T0001" }));
        Assert.Null(Problem(new() { ["Slack:AppToken"] = "xapp-1", ["Slack:BotToken"] = "xoxb-1" }));
    }

    [Fact]
    public async Task The_bot_refuses_to_start_with_a_signing_secret_but_no_bot_token()
    {
        using var folder = new TempFolder();
        var (code, output) = await AppProcess.RunToExitAsync(folder.Path, new Dictionary<string, string>
        {
            ["Storage__SqlitePath"] = folder.File("cfg.db"),
            ["Slack__SigningSecret"] = "secret",
        });
        Assert.Equal(2, code);
        Assert.Contains("Slack:BotToken", output);
        Assert.DoesNotContain("   at ", output);
    }
}
