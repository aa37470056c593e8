using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Configuration;

public sealed class ConfigurationTests
{
    private static async Task<string> StartFailsAsync(Dictionary<string, string> settings, string? urls = null)
    {
        using var folder = new TempFolder();
        settings["Storage__SqlitePath"] = folder.File("cfg.db");
        var (code, output) = await AppProcess.RunToExitAsync(folder.Path, settings, urls);
        Assert.Equal(2, code);
        Assert.DoesNotContain("   at ", output); // a message, not a stack trace
        return output;
    }

    [Fact]
    public async Task An_unknown_key_stops_the_bot_at_start_naming_the_key() =>
        Assert.Contains("Provder", await StartFailsAsync(new() { ["Storage__Provder"] = "Sqlite" }));

    [Fact]
    public async Task An_invalid_value_stops_the_bot_at_start_naming_the_key_and_what_is_accepted() =>
        Assert.Contains("Storage:Provider is 'Mongo'; accepted: Sqlite, Postgres", await StartFailsAsync(new() { ["Storage__Provider"] = "Mongo" }));

    [Fact]
    public async Task Postgres_without_a_connection_string_is_refused_at_start() =>
        Assert.Contains("Storage:ConnectionString is required", await StartFailsAsync(new() { ["Storage__Provider"] = "Postgres" }));

    [Fact]
    public async Task Outside_development_without_sign_in_the_bot_refuses_to_listen_beyond_loopback()
    {
        var output = await StartFailsAsync(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, urls: $"http://0.0.0.0:{AppProcess.FreePort()}");
        Assert.Contains("without sign-in", output);
        Assert.Contains("Review:SignIn:Authority", output);
        Assert.Contains("confidential vendor records", output);
    }

    [Fact]
    public async Task Outside_development_without_sign_in_the_bot_serves_this_machine_as_the_local_user()
    {
        using var folder = new TempFolder();
        await using var app = await AppProcess.StartAsync(folder.Path, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Storage__SqlitePath"] = folder.File("local.db"),
        });
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(new Uri(app.Address, "/api/webchat/messages"),
            new { conversationId = "c", userId = "u", userName = "Dana", text = "start review Acme Health" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(app.Address, "/vendors"))).StatusCode);
    }

    [Fact]
    public async Task Every_section_of_the_sample_settings_is_known_to_the_bot()
    {
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(TestPaths.RepoRoot, "appsettings.sample.json")));
        var settings = new Dictionary<string, string?>();
        foreach (var section in doc.RootElement.EnumerateObject().Where(p => !p.Name.StartsWith("//", StringComparison.Ordinal)))
            Flatten(section.Name, section.Value, settings);
        Assert.Contains("Storage:Provider", settings.Keys);
        foreach (var name in new[] { "Storage", "Knowledge", "Review" })
            Assert.Contains(doc.RootElement.EnumerateObject(), p => p.Name == name);
        foreach (var name in doc.RootElement.EnumerateObject().Select(p => p.Name).Where(n => !n.StartsWith("//", StringComparison.Ordinal)))
            Assert.Contains(doc.RootElement.EnumerateObject(), p => p.Name == "//" + name);

        // Knowledge:Path from the sample is empty (auto-discovery); the test's own database path wins.
        settings.Remove("Storage:SqlitePath");
        settings.Remove("Knowledge:Path");
        await using var app = new AppFactory(settings);
        var response = await app.CreateClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static void Flatten(string prefix, JsonElement value, Dictionary<string, string?> into)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in value.EnumerateObject()) Flatten($"{prefix}:{p.Name}", p.Value, into);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in value.EnumerateArray()) Flatten($"{prefix}:{i++}", item, into);
                break;
            default:
                into[prefix] = value.ValueKind == JsonValueKind.Null ? null : value.ToString();
                break;
        }
    }
}
