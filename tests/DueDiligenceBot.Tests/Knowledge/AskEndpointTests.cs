using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DueDiligenceBot.Cli;
using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Knowledge;

public class AskEndpointTests
{
    [Fact]
    public async Task Ask_endpoint_answers_with_citations()
    {
        await using var app = new AppFactory();
        using var client = app.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/ask", new { question = "who signs a soc 2 bridge letter" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        Assert.False(root.GetProperty("abstained").GetBoolean());
        Assert.Contains("[1]", root.GetProperty("answer").GetString());
        var citation = root.GetProperty("citations")[0];
        Assert.Equal("soc2-bridge-letters", citation.GetProperty("noteId").GetString());
        foreach (var field in new[] { "title", "section", "source" })
            Assert.False(string.IsNullOrEmpty(citation.GetProperty(field).GetString()), field);
    }

    [Fact]
    public async Task Ask_endpoint_abstains_without_citations_outside_our_frameworks()
    {
        await using var app = new AppFactory();
        using var client = app.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/ask", new { question = "whats the weather in boston tmrw" });
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(doc.RootElement.GetProperty("abstained").GetBoolean());
        Assert.Equal(0, doc.RootElement.GetProperty("citations").GetArrayLength());
    }

    [Theory]
    [InlineData("{}", "'question' is required")]
    [InlineData("{\"question\": 42}", "'question' must be a string")]
    [InlineData("{\"question\": \"  \"}", "'question' must not be empty")]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("{\"question\": ", "not valid JSON")]
    public async Task Ask_endpoint_names_the_field_of_a_bad_body(string body, string expected)
    {
        await using var app = new AppFactory();
        using var client = app.CreateClient();
        using var response = await client.PostAsync("/api/ask", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>The <c>ask</c> verb, run in-process like <c>dotnet run -- ask ...</c>.</summary>
[Collection(CliCollection.Name)]
public class AskVerbTests
{
    private static async Task<(int Code, string Out)> Run(params string[] args)
    {
        using var folder = new TempFolder();
        Environment.SetEnvironmentVariable("Storage__SqlitePath", folder.File("cli.db"));
        Environment.SetEnvironmentVariable("Knowledge__Path", TestPaths.Knowledge);
        try
        {
            var stdout = new StringWriter();
            var code = await CliVerbs.RunAsync(["ask", .. args], new StringReader(""), stdout);
            return (code, stdout.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("Storage__SqlitePath", null);
            Environment.SetEnvironmentVariable("Knowledge__Path", null);
        }
    }

    [Fact]
    public async Task Ask_verb_prints_the_answer_and_numbered_citations()
    {
        var (code, output) = await Run("whats a cuec");
        Assert.Equal(CliVerbs.Ok, code);
        Assert.Contains("[1] Complementary user entity controls (CUECs)", output);
    }

    [Fact]
    public async Task Ask_verb_with_json_prints_the_api_shape()
    {
        var (code, output) = await Run("whats a cuec", "--json");
        Assert.Equal(CliVerbs.Ok, code);
        using var doc = JsonDocument.Parse(output);
        Assert.False(doc.RootElement.GetProperty("abstained").GetBoolean());
        Assert.Equal("soc2-cuecs", doc.RootElement.GetProperty("citations")[0].GetProperty("noteId").GetString());
    }

    [Fact]
    public async Task Ask_verb_without_a_question_exits_2()
    {
        var (code, output) = await Run();
        Assert.Equal(CliVerbs.BadInput, code);
        Assert.Empty(output);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliCollection
{
    public const string Name = "cli (process environment)";
}
