using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using DueDiligenceBot.Tests.Support;
using Microsoft.Data.Sqlite;

namespace DueDiligenceBot.Tests.Http;

public sealed class WebChatEndpointTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _client = _app.CreateClient();
        return Task.CompletedTask;
    }

    private async Task<JsonElement> PostAsync(object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await _client.PostAsJsonAsync("/api/webchat/messages", body);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> RawAsync(string content, string type = "application/json", HttpStatusCode expected = HttpStatusCode.BadRequest)
    {
        var response = await _client.PostAsync("/api/webchat/messages", new StringContent(content, Encoding.UTF8, type));
        Assert.Equal(expected, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
    }

    private int AnswerCount()
    {
        using var connection = new SqliteConnection($"Data Source={_app.DatabasePath}");
        connection.Open();
        return connection.ExecuteScalar<int>("SELECT COUNT(*) FROM answers") + connection.ExecuteScalar<int>("SELECT COUNT(*) FROM vendors");
    }

    [Fact]
    public async Task A_message_gets_replies_with_text_and_choices_per_the_contract()
    {
        await PostAsync(new { conversationId = "c1", userId = "u1", userName = "Dana", text = "start review Acme Health" });
        var json = await PostAsync(new { conversationId = "c1", userId = "u1", userName = "Dana", text = "Scheduling SaaS" });

        var replies = json.GetProperty("replies");
        var question = replies.EnumerateArray().Last();
        Assert.Equal("handles_phi", question.GetProperty("question").GetProperty("key").GetString());
        Assert.StartsWith("Question 2", question.GetProperty("text").GetString());
        var choices = question.GetProperty("choices").EnumerateArray().ToList();
        Assert.Contains(choices, c => c.GetProperty("label").GetString() == "Yes" && c.GetProperty("value").GetString() == "@handles_phi=yes");

        // A clicked choice comes back in "value".
        var next = await PostAsync(new { conversationId = "c1", userId = "u1", userName = "Dana", value = "@handles_phi=yes" });
        Assert.Contains("Recorded for question 2: yes", next.GetProperty("replies")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("{\"userId\":\"u\",\"userName\":\"n\",\"text\":\"hi\"}", "'conversationId' is required")]
    [InlineData("{\"conversationId\":\"c\",\"userName\":\"n\",\"text\":\"hi\"}", "'userId' is required")]
    [InlineData("{\"conversationId\":\"c\",\"userId\":\"u\",\"text\":\"hi\"}", "'userName' is required")]
    [InlineData("{\"conversationId\":\"c\",\"userId\":\"u\",\"userName\":\"n\"}", "'text' or 'value' is required")]
    [InlineData("{\"conversationId\":5,\"userId\":\"u\",\"userName\":\"n\",\"text\":\"hi\"}", "'conversationId' must be a string, not number")]
    [InlineData("{\"conversationId\":\"  \",\"userId\":\"u\",\"userName\":\"n\",\"text\":\"hi\"}", "'conversationId' must not be empty")]
    [InlineData("{\"conversationId\":\"c\",\"userId\":\"u\",\"userName\":\"n\",\"text\":\"a\\u0000b\"}", "'text' contains control characters")]
    [InlineData("[1,2]", "the body must be a JSON object")]
    [InlineData("{\"conversationId\":", "the body is not valid JSON")]
    public async Task Bad_bodies_get_400_naming_the_field_and_store_nothing(string body, string expected)
    {
        var error = await RawAsync(body);
        Assert.Contains(expected, error);
        Assert.Equal(0, AnswerCount());
    }

    [Fact]
    public async Task A_non_json_content_type_an_oversize_text_and_an_oversize_body_are_refused()
    {
        Assert.Contains("must be JSON", await RawAsync("text=hi", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType));
        Assert.Contains("larger than 64 KiB", await RawAsync(JsonSerializer.Serialize(new { conversationId = "c", userId = "u", userName = "n", text = new string('a', 70_000) }), expected: HttpStatusCode.RequestEntityTooLarge));
        var error = await RawAsync(JsonSerializer.Serialize(new { conversationId = "c", userId = "u", userName = "n", text = new string('a', 9000) }));
        Assert.Contains("'text' is 9,000 characters", error);
    }

    [Fact]
    public async Task Healthz_and_readyz_answer_200_once_the_database_and_knowledge_are_loaded()
    {
        var alive = await _client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal("alive", (await alive.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var ready = await _client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var json = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ready", json.GetProperty("status").GetString());
        Assert.True(json.GetProperty("notes").GetInt32() >= 50);
        Assert.True(alive.Headers.Contains("X-Correlation-Id"));
    }

    [Fact]
    public async Task The_web_chat_page_is_served_at_the_root()
    {
        var html = await _client.GetStringAsync("/");
        Assert.Contains("/api/webchat/messages", html);
        Assert.Contains("<title>DueDiligenceBot", html);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }
}
