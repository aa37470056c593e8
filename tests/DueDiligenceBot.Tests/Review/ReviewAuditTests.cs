using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using DueDiligenceBot.Core.Storage;
using DueDiligenceBot.Tests.Memo;
using DueDiligenceBot.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static DueDiligenceBot.Tests.Review.ReviewHttpTests;

namespace DueDiligenceBot.Tests.Review;

/// <summary>
/// Every read of vendor data through the review pages and the review API writes one audit line naming the
/// person (or API client) and the channel. A read that finds nothing writes none.
/// </summary>
public sealed partial class ReviewAuditTests
{
    // Local mode (no sign-in configured): everyone at this machine is the local user.
    private const string LocalId = "local-developer";
    private const string LocalName = "Local developer";
    private const string ApiKey = "audit-test-key-0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task The_vendor_list_and_its_searches_are_audited_with_the_person_and_the_search()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient();
        await PutAsync(client, "Relay Messaging", await CompleteImportAsync(app, "twilio-like-human-factor"));

        var mark = await LastAuditIdAsync(app);
        Assert.Contains("Relay Messaging", await client.GetStringAsync("/vendors"));
        AssertRow(Assert.Single(await AuditSinceAsync(app, mark)), "vendors_listed", LocalId, LocalName, "web", null, null, null);

        mark = await LastAuditIdAsync(app);
        Assert.Contains("Relay Messaging", await client.GetStringAsync("/vendors?q=relay"));
        AssertRow(Assert.Single(await AuditSinceAsync(app, mark)), "vendors_listed", LocalId, LocalName, "web", null, null, "relay");

        // A search that finds nothing still read the vendor table; a long one is kept to one clipped line.
        mark = await LastAuditIdAsync(app);
        var search = "zz\n" + new string('y', 150);
        await client.GetStringAsync("/vendors?q=" + Uri.EscapeDataString(search));
        var clipped = Assert.Single(await AuditSinceAsync(app, mark));
        AssertRow(clipped, "vendors_listed", LocalId, LocalName, "web", null, null, "zz " + new string('y', 96) + "…");
        Assert.Equal(100, clipped.Detail!.Length);
    }

    [Fact]
    public async Task Memo_page_reads_are_audited_with_the_version_or_draft_shown()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient();
        var body = await CompleteImportAsync(app, "twilio-like-human-factor");
        await PutAsync(client, "Relay Messaging", body);
        var (vendorId, firstReview) = await ReviewIdsAsync(app, "Relay Messaging", 1);

        var mark = await LastAuditIdAsync(app);
        Assert.Contains("<b>v1</b>", await client.GetStringAsync("/vendors/Relay%20Messaging"));
        AssertRow(Assert.Single(await AuditSinceAsync(app, mark)), "memo_viewed", LocalId, LocalName, "web", vendorId, firstReview, "version 1");

        // A later review adds version 2; reading version 1 records the review that version belongs to.
        body["answers"]!["phishing_simulation"] = true;
        await PutAsync(client, "Relay Messaging", body);
        mark = await LastAuditIdAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/vendors/Relay%20Messaging?version=1")).StatusCode);
        AssertRow(Assert.Single(await AuditSinceAsync(app, mark)), "memo_viewed", LocalId, LocalName, "web", vendorId, firstReview, "version 1");

        // A review in progress shows a draft, which is never stored.
        await PutAsync(client, "Archway Billing", JsonNode.Parse(await File.ReadAllTextAsync(VendorFixtureTests.PathOf("stale-report-no-bridge")))!);
        var (draftVendor, draftReview) = await ReviewIdsAsync(app, "Archway Billing", 1);
        mark = await LastAuditIdAsync(app);
        Assert.Contains("Archway Billing", await client.GetStringAsync("/vendors/Archway%20Billing"));
        AssertRow(Assert.Single(await AuditSinceAsync(app, mark)), "memo_viewed", LocalId, LocalName, "web", draftVendor, draftReview, "draft");
    }

    [Theory]
    [InlineData("md", "", "md, version 1")]
    [InlineData("docx", "", "docx, version 1")]
    [InlineData("json", "?version=1", "json, version 1")]
    public async Task Memo_downloads_are_audited_with_the_format_and_version(string format, string query, string detail)
    {
        await using var app = new AppFactory();
        var client = app.CreateClient();
        await PutAsync(client, "Relay Messaging", await CompleteImportAsync(app, "twilio-like-human-factor"));
        var (vendorId, reviewId) = await ReviewIdsAsync(app, "Relay Messaging", 1);

        var mark = await LastAuditIdAsync(app);
        var response = await client.GetAsync($"/vendors/Relay%20Messaging/memo.{format}{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertRow(Assert.Single(await AuditSinceAsync(app, mark)), "memo_downloaded", LocalId, LocalName, "web", vendorId, reviewId, detail);
    }

    [Fact]
    public async Task A_draft_download_is_audited_as_a_draft()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient();
        await PutAsync(client, "Archway Billing", JsonNode.Parse(await File.ReadAllTextAsync(VendorFixtureTests.PathOf("stale-report-no-bridge")))!);
        var (vendorId, reviewId) = await ReviewIdsAsync(app, "Archway Billing", 1);

        var mark = await LastAuditIdAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/vendors/Archway%20Billing/memo.md")).StatusCode);
        AssertRow(Assert.Single(await AuditSinceAsync(app, mark)), "memo_downloaded", LocalId, LocalName, "web", vendorId, reviewId, "md, draft");
    }

    [Fact]
    public async Task The_api_memo_read_is_audited_on_the_api_channel_with_the_client_and_the_person_it_names()
    {
        await using var app = new AppFactory(new Dictionary<string, string?> { ["Review:ApiKeys:0"] = ApiKey });
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        await PutAsync(client, "Archway Billing", JsonNode.Parse(await File.ReadAllTextAsync(VendorFixtureTests.PathOf("stale-report-no-bridge")))!);
        var (vendorId, reviewId) = await ReviewIdsAsync(app, "Archway Billing", 1);

        var mark = await LastAuditIdAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/vendors/Archway%20Billing/memo?asOf=2026-11-23")).StatusCode);
        AssertRow(Assert.Single(await AuditSinceAsync(app, mark)), "memo_downloaded", "api-key-1", "API client 1", "api", vendorId, reviewId,
            "json, live as of 2026-11-23");

        // As for imports, an integration may name the person it reads for; the id stays the client's.
        mark = await LastAuditIdAsync(app);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/vendors/Archway%20Billing/memo?format=docx&asOf=2026-11-24");
        request.Headers.Add("X-User-Name", "Priya Shah");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
        AssertRow(Assert.Single(await AuditSinceAsync(app, mark)), "memo_downloaded", "api-key-1", "Priya Shah", "api", vendorId, reviewId,
            "docx, live as of 2026-11-24");
    }

    [Theory]
    [InlineData("/vendors/Nobody")]
    [InlineData("/vendors/Relay%20Messaging?version=9")]
    [InlineData("/vendors/Nobody/memo.md")]
    [InlineData("/vendors/Relay%20Messaging/memo.pdf")]
    [InlineData("/api/vendors/Nobody/memo")]
    public async Task A_read_that_finds_nothing_writes_no_audit_line(string url)
    {
        await using var app = new AppFactory();
        var client = app.CreateClient();
        await PutAsync(client, "Relay Messaging", await CompleteImportAsync(app, "twilio-like-human-factor"));

        var mark = await LastAuditIdAsync(app);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(url)).StatusCode);
        Assert.Empty(await AuditSinceAsync(app, mark));
    }

    [Fact]
    public async Task A_refused_decision_shows_the_page_again_and_audits_that_read_only()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await PutAsync(client, "Relay Messaging", await CompleteImportAsync(app, "twilio-like-human-factor"));
        var (vendorId, reviewId) = await ReviewIdsAsync(app, "Relay Messaging", 1);
        var token = AntiforgeryField().Match(await client.GetStringAsync("/vendors/Relay%20Messaging")).Groups[1].Value;

        var mark = await LastAuditIdAsync(app);
        var refused = await client.PostAsync("/vendors/Relay%20Messaging/decision", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__af"] = token, ["version"] = "1", ["decision"] = "rejected", ["conditions"] = "",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("A rejection needs the reason.", await refused.Content.ReadAsStringAsync());
        AssertRow(Assert.Single(await AuditSinceAsync(app, mark)), "memo_viewed", LocalId, LocalName, "web", vendorId, reviewId, "version 1");
    }

    [Fact]
    public async Task A_read_whose_audit_line_cannot_be_written_shows_nothing()
    {
        await using var app = new AppFactory();
        var client = app.CreateClient();
        await PutAsync(client, "Relay Messaging", await CompleteImportAsync(app, "twilio-like-human-factor"));
        await using (var connection = new SqliteConnection($"Data Source={app.DatabasePath}"))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync("CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END;");
        }

        foreach (var url in new[] { "/vendors", "/vendors/Relay%20Messaging/memo.md", "/api/vendors/Relay%20Messaging/memo?format=md" })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.DoesNotContain("Risk memo", await response.Content.ReadAsStringAsync());
        }
        // The write gate was released each time: once the audit log is back, reads work again.
        await using (var connection = new SqliteConnection($"Data Source={app.DatabasePath}"))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync("DROP TRIGGER audit_down");
        }
        Assert.Contains("Relay Messaging", await client.GetStringAsync("/vendors"));
    }

    [PostgresFact]
    public async Task Page_and_api_reads_are_audited_on_PostgreSQL()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var app = new AppFactory(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = database.ConnectionString,
        });
        var client = app.CreateClient();
        await PutAsync(client, "Relay Messaging", await CompleteImportAsync(app, "twilio-like-human-factor"));
        var (vendorId, reviewId) = await ReviewIdsAsync(app, "Relay Messaging", 1);

        var mark = await LastAuditIdAsync(app);
        await client.GetStringAsync("/vendors?q=relay");
        await client.GetStringAsync("/vendors/Relay%20Messaging");
        await client.GetByteArrayAsync("/vendors/Relay%20Messaging/memo.docx");
        await client.GetStringAsync("/api/vendors/Relay%20Messaging/memo?asOf=2026-11-23");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/vendors/Nobody/memo")).StatusCode);
        var rows = await AuditSinceAsync(app, mark);
        Assert.Equal(4, rows.Count);
        AssertRow(rows[0], "vendors_listed", LocalId, LocalName, "web", null, null, "relay");
        AssertRow(rows[1], "memo_viewed", LocalId, LocalName, "web", vendorId, reviewId, "version 1");
        AssertRow(rows[2], "memo_downloaded", LocalId, LocalName, "web", vendorId, reviewId, "docx, version 1");
        AssertRow(rows[3], "memo_downloaded", LocalId, LocalName, "api", vendorId, reviewId, "json, live as of 2026-11-23");
    }

    // ----- helpers ------------------------------------------------------------------------------------

    private sealed class AuditRow
    {
        public long Id { get; set; }
        public string ActorId { get; set; } = "";
        public string ActorName { get; set; } = "";
        public string Channel { get; set; } = "";
        public string Action { get; set; } = "";
        public long? VendorId { get; set; }
        public long? ReviewId { get; set; }
        public string? Detail { get; set; }
    }

    private static void AssertRow(AuditRow row, string action, string actorId, string actorName, string channel, long? vendorId, long? reviewId, string? detail)
    {
        Assert.Equal(
            (action, actorId, actorName, channel, vendorId, reviewId, detail),
            (row.Action, row.ActorId, row.ActorName, row.Channel, row.VendorId, row.ReviewId, row.Detail));
    }

    private static async Task<long> LastAuditIdAsync(AppFactory app)
    {
        await using var connection = await app.Services.GetRequiredService<IDbConnectionFactory>().OpenAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT MAX(id) FROM audit_log") ?? 0;
    }

    /// <summary>Audit lines written after <paramref name="id"/>, oldest first.</summary>
    private static async Task<List<AuditRow>> AuditSinceAsync(AppFactory app, long id)
    {
        await using var connection = await app.Services.GetRequiredService<IDbConnectionFactory>().OpenAsync();
        return (await connection.QueryAsync<AuditRow>(
            "SELECT id, actor_id, actor_name, channel, action, vendor_id, review_id, detail FROM audit_log WHERE id > @Id ORDER BY id",
            new { Id = id })).AsList();
    }

    private static async Task<(long VendorId, long ReviewId)> ReviewIdsAsync(AppFactory app, string vendor, int number)
    {
        await using var connection = await app.Services.GetRequiredService<IDbConnectionFactory>().OpenAsync();
        return await connection.QuerySingleAsync<(long, long)>(
            "SELECT v.id, r.id FROM vendors v JOIN reviews r ON r.vendor_id = v.id WHERE v.name = @Vendor AND r.number = @Number",
            new { Vendor = vendor, Number = number });
    }

    [GeneratedRegex("name=\"__af\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
