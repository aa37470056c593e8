using System.Net;
using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Channels.Teams;

/// <summary>With Teams:AppId empty the bot takes unauthenticated activities for local testing (the Agents Playground) — only in Development, only from loopback.</summary>
public sealed class TeamsAnonymousModeTests
{
    private static async Task<TeamsTestHost> StartAnonymousAsync(string environment = "Development")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Teams:AppId"] = "",
            ["Teams:AppPassword"] = "",
            ["Teams:TenantId"] = "",
            ["environment"] = environment,
        };
        if (environment != "Development")
        {
            // Outside Development the bot needs a sign-in provider for people (never contacted here: no page is opened).
            settings["Review:SignIn:Authority"] = "https://login.microsoftonline.com/" + TeamsTestHost.TenantId + "/v2.0";
            settings["Review:SignIn:ClientId"] = TeamsTestHost.AppId;
            settings["Review:SignIn:ClientSecret"] = "test-only";
        }
        return await TeamsTestHost.StartAsync(settings);
    }

    [Fact]
    public async Task In_Development_an_unauthenticated_activity_from_loopback_is_answered_without_a_token()
    {
        await using var host = await StartAnonymousAsync();
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(host.Message("start review Acme Health"), null)).StatusCode);
        var replies = await host.Fake.WaitForAsync(c => c.Type == "message", count: 2);
        Assert.All(replies, r => Assert.True(string.IsNullOrEmpty(r.Authorization)));
        Assert.Equal(0, host.Fake.TokensIssued);
    }

    [Fact]
    public async Task In_Development_a_service_url_off_loopback_is_refused_with_403()
    {
        await using var host = await StartAnonymousAsync();
        var activity = host.Message("start review Acme Health", serviceUrl: "https://smba.trafficmanager.net/amer/");
        Assert.Equal(HttpStatusCode.Forbidden, (await host.PostAsync(activity, null)).StatusCode);
        await Task.Delay(150);
        Assert.Equal(0, host.StoredRows());
    }

    [Fact]
    public async Task Outside_Development_anonymous_mode_is_refused_with_401()
    {
        await using var host = await StartAnonymousAsync("Production");
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.PostAsync(host.Message("start review Acme Health"), null)).StatusCode);
        await Task.Delay(150);
        Assert.Equal(0, host.StoredRows());
    }

    [Theory]
    [InlineData("Teams__AppPassword", "", "Teams:AppPassword is required")]
    [InlineData("Teams__AppId", "my-bot", "Teams:AppId must be the Azure Bot's Microsoft App ID")]
    [InlineData("Teams__AllowedServiceUrlHosts__0", "https://smba.trafficmanager.net", "Teams:AllowedServiceUrlHosts entries are host names")]
    [InlineData("Teams__Colour", "blue", "Colour")]
    public async Task Bad_configuration_stops_the_bot_at_start_naming_the_key(string key, string value, string expected)
    {
        using var folder = new TempFolder();
        var settings = new Dictionary<string, string>
        {
            ["Storage__SqlitePath"] = folder.File("cfg.db"),
            ["Teams__AppId"] = TeamsTestHost.AppId,
            ["Teams__AppPassword"] = "p4ss-value-never-logged",
            ["Teams__TenantId"] = TeamsTestHost.TenantId,
            [key] = value,
        };
        var (code, output) = await AppProcess.RunToExitAsync(folder.Path, settings);
        Assert.Equal(2, code);
        Assert.Contains(expected, output);
        Assert.DoesNotContain("p4ss-value-never-logged", output);
    }
}
