using System.Text.Json.Nodes;
using DueDiligenceBot.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace DueDiligenceBot.Tests.Review;

/// <summary>
/// A fact that needs the Debian Chromium at /usr/bin/chromium. Outside CI it skips, with that reason,
/// when the binary is missing; in CI (CI=true) it always runs, so a missing browser fails the build.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") != "true" && !File.Exists(ChromiumPath))
            Skip = $"{ChromiumPath} is missing (apt-get install -y chromium); browser tests run whenever CI=true";
    }
}

/// <summary>The review pages in headless Chromium, against the app on a real loopback port.</summary>
public sealed class ReviewBrowserTests
{
    internal static (AppFactory App, string BaseUrl) StartApp()
    {
        var app = new AppFactory(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" });
        app.UseKestrel();
        app.StartServer();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return (app, addresses.First().TrimEnd('/'));
    }

    internal static async Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ChromiumPath,
            Headless = true,
            Args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });

    /// <summary>Only loopback requests leave the page; anything else is aborted.</summary>
    internal static Task LoopbackOnlyAsync(IPage page) =>
        page.RouteAsync("**/*", route =>
        {
            var host = new Uri(route.Request.Url).Host;
            return host is "127.0.0.1" or "localhost" ? route.ContinueAsync() : route.AbortAsync();
        });

    [ChromiumFact]
    public async Task A_reviewer_opens_the_list_opens_a_memo_approves_it_and_sees_the_status()
    {
        var (app, baseUrl) = StartApp();
        await using var _ = app;
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        foreach (var (fixture, vendor) in new[] { ("twilio-like-human-factor", "Relay Messaging"), ("phi-without-baa", "QuickFax Health") })
        {
            var body = await ReviewHttpTests.CompleteImportAsync(app, fixture);
            (await ReviewHttpTests.PutAsync(http, vendor, body)).EnsureSuccessStatusCode();
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await LoopbackOnlyAsync(page);

        await page.GotoAsync(baseUrl + "/vendors");
        var row = page.Locator("tr[data-vendor='Relay Messaging']");
        Assert.Equal("moderate", (await row.Locator(".pill").InnerTextAsync()).ToLowerInvariant());
        Assert.Equal("awaiting decision", await row.Locator("td.status").InnerTextAsync());
        Assert.Equal("critical", (await page.Locator("tr[data-vendor='QuickFax Health'] .pill").InnerTextAsync()).ToLowerInvariant());

        await row.Locator("a").ClickAsync();
        await page.WaitForURLAsync("**/vendors/Relay%20Messaging");
        Assert.Equal("MODERATE", await page.Locator("[data-testid=rating]").InnerTextAsync());
        Assert.Equal("awaiting decision", await page.Locator("[data-testid=status]").InnerTextAsync());
        Assert.True(await page.Locator("[data-flag=human_factor_gap]").IsVisibleAsync());

        await page.CheckAsync("input[value=approved]");
        await page.FillAsync("input[name=reviewer]", "Priya Shah");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/vendors/Relay%20Messaging#decision");
        Assert.Equal("approved", await page.Locator("[data-testid=status]").InnerTextAsync());
        Assert.Contains("by Priya Shah on", await page.Locator(".statusbox").InnerTextAsync());

        await page.GotoAsync(baseUrl + "/vendors");
        Assert.Equal("approved", await page.Locator("tr[data-vendor='Relay Messaging'] td.status").InnerTextAsync());
    }
}
