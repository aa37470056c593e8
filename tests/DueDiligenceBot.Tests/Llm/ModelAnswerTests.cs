using DueDiligenceBot.Core.Knowledge;
using DueDiligenceBot.Core.Llm;
using DueDiligenceBot.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Tests.Llm;

/// <summary>The model path through real Semantic Kernel and OpenAI client code, against a loopback fake.</summary>
public class ModelAnswerTests
{
    private const string Question = "who signs a soc 2 bridge letter";

    private static async Task<(BotHarness Bot, IKnowledgeBase Knowledge)> StartAsync(FakeChatCompletionsServer fake, string provider = "OpenAI", int timeoutSeconds = 10)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Llm:Provider"] = provider,
            ["Llm:Endpoint"] = provider == "OpenAI" ? fake.BaseUrl + "/v1" : fake.BaseUrl,
            ["Llm:Model"] = "gpt-4o-mini",
            ["Llm:Deployment"] = "answers",
            ["Llm:ApiKey"] = "test-key",
            ["Llm:TimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Llm:MaxRetries"] = "1",
            ["Knowledge:PromptsPath"] = Path.Combine(TestPaths.RepoRoot, "prompts"),
        };
        var bot = await BotHarness.StartAsync(settings: settings);
        return (bot, bot.Services.GetRequiredService<IKnowledgeBase>());
    }

    private static KnowledgeAnswer Offline(IServiceProvider services) =>
        ((NotesKnowledgeBase)services.GetRequiredService<IKnowledgeBase>()).Answer(Question);

    [Fact]
    public async Task Model_answer_is_used_when_it_cites_retrieved_passages()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Reply = _ => (200, "The vendor's management signs a bridge letter, not the auditor, so it is unaudited [1].", TimeSpan.Zero);
        var (bot, knowledge) = await StartAsync(fake);
        await using var _ = bot;

        var answer = await knowledge.AskAsync(Question);

        Assert.Equal("The vendor's management signs a bridge letter, not the auditor, so it is unaudited [1].", answer.Text);
        Assert.Equal("soc2-bridge-letters", Assert.Single(answer.Citations).NoteId);
        var (path, body) = Assert.Single(fake.Requests);
        Assert.EndsWith("/v1/chat/completions", path);
        Assert.Equal("gpt-4o-mini", body.GetProperty("model").GetString());
        var prompt = FakeChatCompletionsServer.Messages(body);
        Assert.Contains(Question, prompt);
        Assert.Contains("[1] SOC 2 bridge letters", prompt);
    }

    [Fact]
    public async Task Model_answer_citing_a_passage_that_was_not_retrieved_falls_back()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Reply = _ => (200, "Management signs it [1], as the AICPA requires [9].", TimeSpan.Zero);
        var (bot, knowledge) = await StartAsync(fake);
        await using var _ = bot;

        var answer = await knowledge.AskAsync(Question);

        var offline = Offline(bot.Services);
        Assert.Equal(offline.Text, answer.Text);
        Assert.Equal(offline.Citations, answer.Citations);
        Assert.DoesNotContain("[9]", answer.Text);
    }

    [Fact]
    public async Task Model_answer_without_citations_falls_back()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Reply = _ => (200, "Management signs it.", TimeSpan.Zero);
        var (bot, knowledge) = await StartAsync(fake);
        await using var _ = bot;

        Assert.Equal(Offline(bot.Services).Text, (await knowledge.AskAsync(Question)).Text);
    }

    [Fact]
    public async Task Model_http_500_falls_back_after_one_bounded_retry()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Reply = _ => (500, "", TimeSpan.Zero);
        var (bot, knowledge) = await StartAsync(fake);
        await using var _ = bot;

        var answer = await knowledge.AskAsync(Question);

        Assert.Equal(Offline(bot.Services).Text, answer.Text);
        Assert.Equal(2, fake.Requests.Count);   // the call and Llm:MaxRetries = 1 retry, no more
    }

    [Fact]
    public async Task Model_slower_than_the_timeout_falls_back_in_time()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Reply = _ => (200, "Too late [1].", TimeSpan.FromSeconds(20));
        var (bot, knowledge) = await StartAsync(fake, timeoutSeconds: 1);
        await using var _ = bot;

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var answer = await knowledge.AskAsync(Question);

        Assert.Equal(Offline(bot.Services).Text, answer.Text);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Model_saying_not_in_notes_falls_back_to_the_offline_answer()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Reply = _ => (200, SemanticKernelAnswerWriter.NotInNotes, TimeSpan.Zero);
        var (bot, knowledge) = await StartAsync(fake);
        await using var _ = bot;

        Assert.Equal(Offline(bot.Services).Text, (await knowledge.AskAsync(Question)).Text);
    }

    [Fact]
    public async Task Azure_openai_provider_runs_through_the_azure_client()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        fake.Reply = _ => (200, "Management signs it [1].", TimeSpan.Zero);
        var (bot, knowledge) = await StartAsync(fake, provider: "AzureOpenAI");
        await using var _ = bot;

        var answer = await knowledge.AskAsync(Question);

        Assert.Equal("Management signs it [1].", answer.Text);
        Assert.Contains("/openai/deployments/answers/chat/completions", Assert.Single(fake.Requests).Path);
    }

    [Fact]
    public async Task Abstentions_never_reach_the_model()
    {
        await using var fake = await FakeChatCompletionsServer.StartAsync();
        var (bot, knowledge) = await StartAsync(fake);
        await using var _ = bot;

        var answer = await knowledge.AskAsync("whats the weather in boston tmrw");

        Assert.True(answer.Abstained);
        Assert.Empty(fake.Requests);
    }

    [Theory]
    [InlineData("AzureOpenAI", "Llm:Endpoint is required when Llm:Provider is AzureOpenAI")]
    [InlineData("AzureOpenAI", "Llm:ApiKey is required when Llm:Provider is AzureOpenAI")]
    [InlineData("OpenAI", "Llm:Model is required when Llm:Provider is OpenAI")]
    public async Task Missing_model_settings_fail_at_start_naming_the_key(string provider, string expected)
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var bot = await BotHarness.StartAsync(settings: new Dictionary<string, string?> { ["Llm:Provider"] = provider });
        });
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Prompt_template_loads_into_a_semantic_kernel_config()
    {
        var config = PromptLoader.Load(Path.Combine(TestPaths.RepoRoot, "prompts", SemanticKernelAnswerWriter.PromptFile), "question", "passages");
        Assert.Equal("answer_question", config.Name);
        Assert.Contains(config.InputVariables, v => v.Name == "passages" && v.IsRequired);
        Assert.Equal(0, Convert.ToInt32(config.DefaultExecutionSettings!.ExtensionData!["temperature"], System.Globalization.CultureInfo.InvariantCulture));
    }
}
