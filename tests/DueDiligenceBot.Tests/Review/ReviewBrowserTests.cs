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
        Assert.Equal("Local developer", await page.Locator("[data-testid=reviewer]").InnerTextAsync());
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/vendors/Relay%20Messaging#decision");
        Assert.Equal("approved", await page.Locator("[data-testid=status]").InnerTextAsync());
        Assert.Contains("by Local developer on", await page.Locator(".statusbox").InnerTextAsync());

        await page.GotoAsync(baseUrl + "/vendors");
        Assert.Equal("approved", await page.Locator("tr[data-vendor='Relay Messaging'] td.status").InnerTextAsync());
    }

    /// <summary>
    /// Three memos as a reviewer reads them: no section is wider than the window, at desktop and laptop
    /// widths. Each section is saved as a PNG under TestResults/memo-screens for a person to look at.
    /// </summary>
    [ChromiumFact]
    public async Task Memo_pages_fit_the_window_and_are_saved_for_reading()
    {
        var (app, baseUrl) = StartApp();
        await using var _ = app;
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        var vendors = new[] { ("okta-like-subprocessors", "Keystone Identity"), ("type1-startup", "Pulsewise"), ("phi-without-baa", "QuickFax Health") };
        foreach (var (fixture, vendor) in vendors)
            (await ReviewHttpTests.PutAsync(http, vendor, await ReviewHttpTests.CompleteImportAsync(app, fixture), user: "Dana Whitfield")).EnsureSuccessStatusCode();

        var folder = Path.Combine(TestPaths.RepoRoot, "TestResults", "memo-screens");
        Directory.CreateDirectory(folder);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        foreach (var width in new[] { 1200, 800 })
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 1000 } });
            await LoopbackOnlyAsync(page);
            foreach (var (_, vendor) in vendors)
            {
                await page.GotoAsync($"{baseUrl}/vendors/{Uri.EscapeDataString(vendor)}");
                await page.Locator("#appendix summary").ClickAsync();
                var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
                Assert.True(overflow <= 0, $"{vendor} at {width}px is {overflow}px wider than the window");
                if (width != 1200) continue;
                var slug = vendor.Replace(' ', '-').ToLowerInvariant();
                await page.Locator(".memo-head").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(folder, $"{slug}-0-head.png") });
                await page.Locator(".statusbox").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(folder, $"{slug}-0-status.png") });
                await page.Locator(".decide").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(folder, $"{slug}-9-decide.png") });
                foreach (var section in new[] { "summary", "findings", "coverage", "crosswalk", "open", "dates", "followup", "appendix" })
                    await page.Locator($"#{section}").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(folder, $"{slug}-{section}.png") });
            }
            await page.CloseAsync();
        }
        Assert.True(File.Exists(Path.Combine(folder, "pulsewise-findings.png")));
    }
}
