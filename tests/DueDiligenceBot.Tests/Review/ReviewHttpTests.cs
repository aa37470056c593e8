using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Tests.Memo;
using DueDiligenceBot.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DueDiligenceBot.Tests.Review;

/// <summary>The review API and pages through the whole app over its own SQLite file.</summary>
public sealed partial class ReviewHttpTests
{
    internal static string VendorPath(string name) => Uri.EscapeDataString(name);

    /// <summary>A fixture's answers plus a plain answer to every other checklist question, so the review completes.</summary>
    internal static async Task<JsonObject> CompleteImportAsync(AppFactory app, string fixture)
    {
        var doc = JsonNode.Parse(await File.ReadAllTextAsync(VendorFixtureTests.PathOf(fixture)))!.AsObject();
        var answers = doc["answers"]!.AsObject();
        var checklist = app.Services.GetRequiredService<ChecklistDefinition>();
        for (var round = 0; round < 3; round++)
        {
            var set = new AnswerSet(answers.Select(kv => new KeyValuePair<string, JsonElement>(kv.Key, JsonSerializer.SerializeToElement(kv.Value))));
            foreach (var q in checklist.Questions.Where(q => checklist.IsAsked(q, set) && !answers.ContainsKey(q.Key)))
            {
                answers[q.Key] = q.Type switch
                {
                    QuestionType.YesNo => JsonValue.Create(true),
                    QuestionType.Choice => JsonValue.Create(q.Options[0].Value),
                    QuestionType.MultiChoice => new JsonArray(JsonValue.Create(q.Options[0].Value)),
                    QuestionType.Date => JsonValue.Create("2026-09-30"),
                    QuestionType.Number => JsonValue.Create(q.Min ?? 1),
                    _ => JsonValue.Create("none"),
                };
            }
        }
        return doc;
    }

    internal static async Task<HttpResponseMessage> PutAsync(HttpClient client, string vendor, JsonNode body, string user = "Importer")
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/vendors/{VendorPath(vendor)}/answers")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-User-Name", user);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Put_answers_rejects_a_bad_file_whole_naming_each_bad_key()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient();
        var body = JsonNode.Parse("""{"vendor":"Acme","answers":{"handles_phi":true,"soc2_report_type":"soc3","bogus":1,"baa_breach_notification_days":-5}}""")!;
        var response = await PutAsync(client, "Acme", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = json.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("'soc2_report_type' is \"soc3\"; accepted: none, type1, type2", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("'bogus' is not an answer key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("'baa_breach_notification_days' is -5; accepted: a whole number from 0 to 365", StringComparison.Ordinal));
        // Nothing was stored: there is no review of Acme.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/vendors/Acme/memo")).StatusCode);
    }

    [Fact]
    public async Task Put_answers_with_a_different_vendor_in_the_body_is_rejected()
    {
        await using var app = new AppFactory();
        var response = await PutAsync(app.CreateClient(), "Acme", JsonNode.Parse("""{"vendor":"Other","answers":{}}""")!);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("the address names", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Put_answers_fills_the_open_review_then_get_memo_returns_the_contract_json()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient();
        var body = JsonNode.Parse(await File.ReadAllTextAsync(VendorFixtureTests.PathOf("okta-like-subprocessors")))!;
        var put = await PutAsync(client, "Keystone Identity", body);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var result = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, result.GetProperty("review").GetInt32());
        Assert.Equal("in_progress", result.GetProperty("status").GetString());
        Assert.NotEmpty(result.GetProperty("unanswered").EnumerateArray()); // the checklist's own questions remain

        var memo = await client.GetFromJsonAsync<JsonElement>("/api/vendors/Keystone%20Identity/memo?asOf=2026-11-23");
        Assert.Equal("Keystone Identity", memo.GetProperty("vendor").GetString());
        Assert.Equal("2026-11-23", memo.GetProperty("asOf").GetString());
        Assert.Equal("high", memo.GetProperty("rating").GetString());
        var flag = memo.GetProperty("flags").EnumerateArray().Single(f => f.GetProperty("id").GetString() == "baa_no_flowdown");
        Assert.Equal("high", flag.GetProperty("severity").GetString());
        Assert.Equal("Importer", flag.GetProperty("evidence")[0].GetProperty("by").GetString());
        Assert.Equal("api", flag.GetProperty("evidence")[0].GetProperty("channel").GetString());
        Assert.NotEmpty(flag.GetProperty("citations").EnumerateArray());
        Assert.False(string.IsNullOrEmpty(flag.GetProperty("followUp").GetString()));
        Assert.StartsWith("# Risk memo: Keystone Identity", memo.GetProperty("markdown").GetString());

        // A second PUT goes into the same open review; unchanged answers add nothing.
        var again = await (await PutAsync(client, "Keystone Identity", body)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, again.GetProperty("review").GetInt32());
        Assert.Equal(0, again.GetProperty("stored").GetInt32());
    }

    [Fact]
    public async Task A_complete_import_stores_a_memo_version_and_a_later_import_starts_a_new_review()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient();
        var body = await CompleteImportAsync(app, "twilio-like-human-factor");
        var first = await (await PutAsync(client, "Relay Messaging", body)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("complete", first.GetProperty("status").GetString());
        Assert.Empty(first.GetProperty("unanswered").EnumerateArray());

        var page = await client.GetStringAsync("/vendors/Relay%20Messaging");
        Assert.Contains("awaiting decision", page);
        Assert.Contains("<b>v1</b>", page);

        body["answers"]!["phishing_simulation"] = true;
        var second = await (await PutAsync(client, "Relay Messaging", body)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, second.GetProperty("review").GetInt32());
        Assert.True(second.GetProperty("newReview").GetBoolean());
        page = await client.GetStringAsync("/vendors/Relay%20Messaging");
        Assert.Contains("<b>v2</b>", page);
        Assert.Contains("Review 1 (as of", page);
        Assert.Contains("Cleared: human_factor_gap", page);
    }

    [Theory]
    [InlineData("md", "text/markdown")]
    [InlineData("html", "text/html")]
    [InlineData("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    [InlineData("json", "application/json")]
    public async Task Get_memo_renders_every_format(string format, string contentType)
    {
        await using var app = new AppFactory();
        var client = app.CreateClient();
        await PutAsync(client, "Archway Billing", JsonNode.Parse(await File.ReadAllTextAsync(VendorFixtureTests.PathOf("stale-report-no-bridge")))!);
        var response = await client.GetAsync($"/api/vendors/Archway%20Billing/memo?format={format}&asOf=2026-11-23");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType!.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (format == "docx") Assert.Equal("PK"u8.ToArray(), bytes[..2]);
        else Assert.Contains("Archway Billing", Encoding.UTF8.GetString(bytes));
    }

    [Theory]
    [InlineData("/api/vendors/Archway%20Billing/memo?format=pdf", HttpStatusCode.BadRequest)]
    [InlineData("/api/vendors/Archway%20Billing/memo?asOf=23-11-2026", HttpStatusCode.BadRequest)]
    [InlineData("/api/vendors/Nobody/memo", HttpStatusCode.NotFound)]
    [InlineData("/vendors/Nobody", HttpStatusCode.NotFound)]
    public async Task Get_memo_answers_bad_requests_plainly(string url, HttpStatusCode expected)
    {
        await using var app = new AppFactory();
        var client = app.CreateClient();
        await PutAsync(client, "Archway Billing", JsonNode.Parse(await File.ReadAllTextAsync(VendorFixtureTests.PathOf("stale-report-no-bridge")))!);
        Assert.Equal(expected, (await client.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task Pages_escape_a_vendor_named_like_a_script()
    {
        const string evil = "<script>alert(1)</script>";
        await using var app = new AppFactory();
        var client = app.CreateClient();
        var body = await CompleteImportAsync(app, "no-phi-vendor");
        body["vendor"] = evil;
        body["answers"]!["soc2_exceptions"] = "<img src=x onerror=alert(2)>";
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(client, evil, body, user: "<b>Mallory</b>")).StatusCode);

        var list = await client.GetStringAsync("/vendors");
        Assert.DoesNotContain(evil, list);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", list);

        var page = await client.GetStringAsync("/vendors/" + VendorPath(evil));
        Assert.DoesNotContain(evil, page);
        Assert.DoesNotContain("<img src=x", page);
        Assert.DoesNotContain("<b>Mallory", page);
        Assert.Contains("Risk memo: &lt;script&gt;", page);
    }

    [Fact]
    public async Task A_decision_without_the_antiforgery_token_is_refused()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient();
        await PutAsync(client, "Relay Messaging", await CompleteImportAsync(app, "twilio-like-human-factor"));
        var response = await client.PostAsync("/vendors/Relay%20Messaging/decision", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["version"] = "1", ["decision"] = "approved",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("awaiting decision", await client.GetStringAsync("/vendors/Relay%20Messaging"));
    }

    [Fact]
    public async Task A_reviewer_approves_with_conditions_and_the_decision_is_shown_with_name_and_time()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await PutAsync(client, "Relay Messaging", await CompleteImportAsync(app, "twilio-like-human-factor"));
        var page = await client.GetStringAsync("/vendors/Relay%20Messaging");
        var token = AntiforgeryField().Match(page).Groups[1].Value;
        Assert.NotEmpty(token);

        // Conditions are required for an approval with conditions.
        Assert.Contains("You are signed in as <b data-testid=\"reviewer\">Local developer</b>", page);
        var missing = await client.PostAsync("/vendors/Relay%20Messaging/decision", Form(token, "1", "approved_with_conditions", ""));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("Approving with conditions needs the conditions.", await missing.Content.ReadAsStringAsync());

        var ok = await client.PostAsync("/vendors/Relay%20Messaging/decision",
            Form(token, "1", "approved_with_conditions", "Phishing simulations in place by 2027-03-31 <b>firm</b>"));
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        page = await client.GetStringAsync("/vendors/Relay%20Messaging");
        Assert.Contains("approved with conditions</span> by Local developer on", page);
        Assert.Contains("Phishing simulations in place by 2027-03-31 &lt;b&gt;firm&lt;/b&gt;", page);
        Assert.Contains("approved with conditions", await client.GetStringAsync("/vendors"));
    }

    [Fact]
    public async Task A_decision_on_an_outdated_version_is_refused()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var body = await CompleteImportAsync(app, "twilio-like-human-factor");
        await PutAsync(client, "Relay Messaging", body);
        var token = AntiforgeryField().Match(await client.GetStringAsync("/vendors/Relay%20Messaging")).Groups[1].Value;
        body["answers"]!["pen_test_last_12_months"] = false;
        await PutAsync(client, "Relay Messaging", body); // a new review, completed: version 2
        var response = await client.PostAsync("/vendors/Relay%20Messaging/decision", Form(token, "1", "approved", ""));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("A newer memo version (2) exists", await response.Content.ReadAsStringAsync());
    }

    private static FormUrlEncodedContent Form(string token, string version, string decision, string conditions) => new(new Dictionary<string, string>
    {
        ["__af"] = token, ["version"] = version, ["decision"] = decision, ["conditions"] = conditions,
        // A typed reviewer name is ignored: the decision carries the signed-in person's name.
        ["reviewer"] = "Somebody Else",
    });

    [GeneratedRegex("name=\"__af\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
