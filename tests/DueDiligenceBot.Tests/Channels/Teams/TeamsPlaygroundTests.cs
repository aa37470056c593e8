using System.Diagnostics;
using System.Net.Sockets;
using DueDiligenceBot.Tests.Support;
using Microsoft.Playwright;

namespace DueDiligenceBot.Tests.Channels.Teams;

/// <summary>
/// The Microsoft 365 Agents Playground (npm @microsoft/m365agentsplayground 0.2.28): it emulates the Teams client
/// and the Bot Connector on loopback and sends no token, so it talks to the anonymous Development mode.
/// Network safety: telemetry disabled (flag and APPLICATION_INSIGHTS_NO_STATSBEAT, without which its telemetry
/// library probes a cloud metadata address), no browser opened by it (TEAMSAPPTESTER_BROWSER=none), every
/// address loopback, and the page driven in Chromium that resolves only loopback names and aborts any other request.
/// </summary>
public sealed class TeamsPlaygroundTests
{
    private static string PlaygroundCli => Path.Combine(NodeTools.Folder, "node_modules", "@microsoft", "m365agentsplayground", "cli.js");

    private sealed class Playground(Process process, int port) : IAsyncDisposable
    {
        public Uri Address { get; } = new($"http://127.0.0.1:{port}/");
        public bool HasExited => process.HasExited;
        public List<string> Output { get; } = [];

        public static async Task<Playground> StartAsync(Uri appEndpoint)
        {
            var port = AppProcess.FreePort();
            var info = new ProcessStartInfo("node")
            {
                WorkingDirectory = NodeTools.Folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[]
            {
                PlaygroundCli, "start", "--port", port.ToString(), "--app-endpoint", new Uri(appEndpoint, "/api/messages").ToString(),
                "--service-url", $"http://127.0.0.1:{port}/_connector", "--disable-telemetry",
            })
                info.ArgumentList.Add(a);
            info.Environment["TEAMSAPPTESTER_BROWSER"] = "none";
            info.Environment["APPLICATION_INSIGHTS_NO_STATSBEAT"] = "true";
            var playground = new Playground(Process.Start(info)!, port);
            playground.Capture();

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                if (playground.HasExited) break;
                try
                {
                    using var tcp = new TcpClient();
                    await tcp.ConnectAsync("127.0.0.1", port);
                    return playground;
                }
                catch (SocketException) { await Task.Delay(200); }
            }
            await playground.DisposeAsync();
            throw new InvalidOperationException("the Agents Playground did not start:\n" + string.Join("\n", playground.Output));
        }

        private void Capture()
        {
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (Output) Output.Add(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (Output) Output.Add(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        /// <summary>Stopped by its own process id (and its children), never by name.</summary>
        public ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            process.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class PlaygroundFactAttribute : FactAttribute
    {
        public PlaygroundFactAttribute()
        {
            if (NodeTools.InCi) return;
            if (!File.Exists(PlaygroundCli)) Skip = NodeTools.MissingReason;
            else if (!Support.Browser.Available) Skip = $"Chromium is not installed at {Support.Browser.ChromiumPath} (apt-get install chromium; .ci/run does this)";
        }
    }

    [PlaygroundFact]
    public async Task In_the_Agents_Playground_a_review_is_answered_by_clicking_a_card_and_a_framework_question_gets_a_cited_answer()
    {
        await using var server = LiveServer.Start(new Dictionary<string, string?> { ["Teams:AppId"] = "" });
        await using var playground = await Playground.StartAsync(server.Address);
        var (playwright, browser, page) = await Support.Browser.OpenAsync();
        using var _ = playwright;
        await using var __ = browser;
        try
        {
            await page.SetViewportSizeAsync(1400, 1000);
            await page.GotoAsync(playground.Address.ToString());
            // The compose box is a Lexical contenteditable, as in Teams.
            var input = page.Locator("[contenteditable=true][role=textbox]");
            await input.WaitForAsync(new() { Timeout = 30_000 });
            async Task Say(string text)
            {
                await input.ClickAsync();
                await page.Keyboard.TypeAsync(text);
                await page.Keyboard.PressAsync("Enter");
            }

            await Say("start review Acme Health");
            await Assertions.Expect(page.GetByText("Question 1 ·").Last).ToBeVisibleAsync(new() { Timeout = 30_000 });

            await Say("Patient scheduling for our clinics");
            var question2 = page.GetByText("Question 2 ·").Last;
            await Assertions.Expect(question2).ToBeVisibleAsync(new() { Timeout = 30_000 });

            Directory.CreateDirectory(Path.Combine(TestPaths.RepoRoot, "TestResults"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(TestPaths.RepoRoot, "TestResults", "teams-playground-question.png") });

            // Click the card's Yes button: the answer is recorded and the next question follows.
            await page.GetByRole(AriaRole.Button, new() { Name = "Yes", Exact = true }).Last.ClickAsync();
            await Assertions.Expect(page.GetByText("Question 3 ·").Last).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(page.GetByText("Recorded for question 2: yes").Last).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByText("Answered by Alex Wilber").Last).ToBeVisibleAsync(); // the Playground's default user
            await page.ScreenshotAsync(new() { Path = Path.Combine(TestPaths.RepoRoot, "TestResults", "teams-playground-answered.png") });

            // "Why?" answers from the curated notes with numbered citations.
            await Say("why?");
            await Assertions.Expect(page.GetByText("Why we ask question 3").Last).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(page.GetByText("Sources").Last).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByText("[1]").Last).ToBeVisibleAsync();

            await Say("pause");
            await Assertions.Expect(page.GetByText("Paused the review of Acme Health").Last).ToBeVisibleAsync(new() { Timeout = 30_000 });

            // A framework question gets its answer card; with retrieval over the notes in place, with its sources.
            var sourcesBefore = await page.GetByText("Sources").CountAsync();
            await Say("what is a bridge letter?");
            var answer = page.Locator("text=/bridge letter|can't answer framework questions yet/i").Last;
            await Assertions.Expect(page.GetByText("what is a bridge letter?").Last).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await page.WaitForFunctionAsync(
                "n => document.body.innerText.includes(\"can't answer framework questions yet\") || document.body.innerText.split('Sources').length - 1 > n",
                sourcesBefore, new() { Timeout = 30_000 });
            if (!(await page.InnerTextAsync("body")).Contains("can't answer framework questions yet", StringComparison.Ordinal))
                Assert.True(await page.GetByText("Sources").CountAsync() > sourcesBefore);
            await page.ScreenshotAsync(new() { Path = Path.Combine(TestPaths.RepoRoot, "TestResults", "teams-playground-answer.png") });
        }
        catch (Exception e)
        {
            Directory.CreateDirectory(Path.Combine(TestPaths.RepoRoot, "TestResults"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(TestPaths.RepoRoot, "TestResults", "teams-playground-failure.png") });
            throw new Exception("Playground output:\n" + string.Join("\n", playground.Output), e);
        }
    }
}
