using Dapper;
using DueDiligenceBot.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;

namespace DueDiligenceBot.Tests.Browser;

public sealed class WebChatBrowserTests
{
    [BrowserFact]
    public async Task Three_questions_are_answered_in_the_web_chat_by_clicking_buttons()
    {
        await using var server = LiveServer.Start();
        var (playwright, browser, page) = await Support.Browser.OpenAsync();
        using var _ = playwright;
        await using var __ = browser;

        await page.GotoAsync(server.Address.ToString());
        await page.FillAsync("#name", "Dana Reviewer");
        await page.DispatchEventAsync("#name", "change");
        await page.FillAsync("#text", "start review Acme Health");
        await page.PressAsync("#text", "Enter");
        await Assertions.Expect(page.Locator(".msg.bot").Last).ToContainTextAsync("Question 1");

        // Question 1 is free text; questions 2 and 3 are answered with buttons only.
        await page.FillAsync("#text", "Patient scheduling");
        await page.PressAsync("#text", "Enter");
        await Assertions.Expect(page.Locator(".msg.bot").Last).ToContainTextAsync("Question 2");
        await page.Locator(".msg.bot").Last.GetByRole(AriaRole.Button, new() { Name = "Yes", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator(".msg.bot").Last).ToContainTextAsync("Question 3");
        await page.Locator(".msg.bot").Last.GetByRole(AriaRole.Button).First.ClickAsync();
        await Assertions.Expect(page.Locator(".msg.bot").Last).ToContainTextAsync("Question 4");
        await page.Locator(".msg.bot").Last.Locator("input[type=checkbox]").First.CheckAsync();
        await page.Locator(".msg.bot").Last.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
        await Assertions.Expect(page.Locator(".msg.bot").Last).ToContainTextAsync("Question 5");

        Directory.CreateDirectory(Path.Combine(TestPaths.RepoRoot, "TestResults"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestPaths.RepoRoot, "TestResults", "webchat.png"), FullPage = true });

        // The answered question's buttons cannot be clicked twice.
        var question2 = page.Locator(".msg.bot", new() { HasText = "Question 2" });
        Assert.True(await question2.GetByRole(AriaRole.Button, new() { Name = "Yes", Exact = true }).IsDisabledAsync());

        using var connection = new SqliteConnection($"Data Source={server.DatabasePath}");
        var rows = connection.Query<(string Key, string User, string Channel)>(
            "SELECT question_key, user_name, channel FROM answers ORDER BY id").ToList();
        Assert.Equal(["service_description", "handles_phi", "phi_record_volume", "data_types"], rows.Select(r => r.Key));
        Assert.All(rows, r => { Assert.Equal("Dana Reviewer", r.User); Assert.Equal("webchat", r.Channel); });
    }
}
