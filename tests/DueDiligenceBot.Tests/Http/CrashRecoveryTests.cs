using System.Net.Http.Json;
using System.Text.Json;
using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Http;

public sealed class CrashRecoveryTests
{
    private static async Task<JsonElement> SayAsync(HttpClient http, Uri app, string conversation, string text)
    {
        var response = await http.PostAsJsonAsync(new Uri(app, "/api/webchat/messages"),
            new { conversationId = conversation, userId = "dana", userName = "Dana", text });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static JsonElement LastQuestion(JsonElement reply) =>
        reply.GetProperty("replies").EnumerateArray().Last(r => r.GetProperty("question").ValueKind == JsonValueKind.Object).GetProperty("question");

    [Fact]
    public async Task A_review_killed_mid_way_resumes_at_the_first_unanswered_question_after_restart()
    {
        using var folder = new TempFolder();
        var env = new Dictionary<string, string> { ["Storage__SqlitePath"] = folder.File("crash.db") };
        using var http = new HttpClient();

        await using (var first = await AppProcess.StartAsync(folder.Path, env))
        {
            await SayAsync(http, first.Address, "browser-1", "start review Acme Health");
            await SayAsync(http, first.Address, "browser-1", "Remote patient monitoring");
            var atThree = await SayAsync(http, first.Address, "browser-1", "yes");
            Assert.Equal("phi_record_volume", LastQuestion(atThree).GetProperty("key").GetString());
            first.Kill();
        }

        await using var second = await AppProcess.StartAsync(folder.Path, env);
        var resumed = await SayAsync(http, second.Address, "browser-2", "resume Acme Health");
        Assert.Equal("phi_record_volume", LastQuestion(resumed).GetProperty("key").GetString());
        Assert.Contains("Resuming the review of Acme Health at question 3", resumed.GetRawText());
    }
}
