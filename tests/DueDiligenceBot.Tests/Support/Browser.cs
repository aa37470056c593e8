using Microsoft.Playwright;

namespace DueDiligenceBot.Tests.Support;

/// <summary>
/// Headless Debian Chromium driven by Playwright, that can reach loopback only: names resolve to loopback,
/// and any request to another host is aborted.
/// </summary>
public static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static bool Available => File.Exists(ChromiumPath);

    public static async Task<(IPlaywright Playwright, IBrowser Browser, IPage Page)> OpenAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
            ],
        });
        var context = await browser.NewContextAsync();
        await context.RouteAsync("**/*", async route =>
        {
            var host = new Uri(route.Request.Url).Host;
            if (host is "127.0.0.1" or "localhost" or "[::1]") await route.ContinueAsync();
            else await route.AbortAsync();
        });
        var page = await context.NewPageAsync();
        return (playwright, browser, page);
    }
}

/// <summary>
/// A browser test: runs wherever Debian's Chromium is installed; skips (saying why) only outside CI when it
/// is not. In CI (CI=true) it never skips: .ci/run installs Chromium.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!Browser.Available && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = $"Chromium is not installed at {Browser.ChromiumPath} (apt-get install chromium; .ci/run does this)";
    }
}
