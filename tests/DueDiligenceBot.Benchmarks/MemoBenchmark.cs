using System.Diagnostics;
using System.Globalization;
using Dapper;
using DueDiligenceBot.Core;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Memo;
using DueDiligenceBot.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using DueDiligenceBot.Operations;
using DueDiligenceBot.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DueDiligenceBot.Benchmarks;

/// <summary>
/// <c>memo</c>: memo generation time per vendor (rules, document, Markdown, HTML and JSON; DOCX apart) over
/// the ten test fixtures, and the <c>/vendors</c> page time with 10,000 vendors in a real SQLite database
/// served by the app on a loopback port.
/// </summary>
public static class MemoBenchmark
{
    private const int Repetitions = 300;
    private const int VendorCount = 10_000;
    private const int PageRequests = 200;

    public static async Task<object> RunAsync()
    {
        var root = RepoRoot();
        var folder = Path.Combine(Path.GetTempPath(), "ddbot-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var generation = await GenerationAsync(root, folder);
            var page = await VendorsPageAsync(root, folder);
            return new { generation, vendorsPage = page };
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<object> GenerationAsync(string root, string folder)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:SqlitePath"] = Path.Combine(folder, "generation.db"),
            ["Knowledge:Path"] = Path.Combine(root, "knowledge"),
        }).Build();
        var services = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Warning)).AddDueDiligenceCore(configuration);
        await using var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
        var checklist = provider.GetRequiredService<ChecklistDefinition>();
        var memos = provider.GetRequiredService<ReviewMemoService>();

        var perVendor = new List<object>();
        var all = new List<double>();
        var docx = new List<double>();
        var fixtures = Directory.GetFiles(Path.Combine(root, "tests", "DueDiligenceBot.Tests", "Memo", "Fixtures"), "*.json").Order(StringComparer.Ordinal);
        foreach (var file in fixtures)
        {
            var parsed = (ImportResult.Accepted)AnswerImport.Parse(await File.ReadAllTextAsync(file), checklist);
            var asOf = parsed.AsOf ?? new DateOnly(2026, 11, 23);
            for (var i = 0; i < 20; i++) await GenerateAsync(memos, parsed, asOf); // warm-up
            var times = new List<double>(Repetitions);
            MemoDocument? memo = null;
            for (var i = 0; i < Repetitions; i++)
            {
                var sw = Stopwatch.StartNew();
                memo = await GenerateAsync(memos, parsed, asOf);
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            for (var i = 0; i < 50; i++)
            {
                var sw = Stopwatch.StartNew();
                _ = MemoDocx.Render(memo!);
                docx.Add(sw.Elapsed.TotalMilliseconds);
            }
            all.AddRange(times);
            perVendor.Add(new { fixture = Path.GetFileNameWithoutExtension(file), vendor = parsed.Vendor, rating = memo!.Rating.Id(), flags = memo.AllFindings.Count(), p50Ms = P(times, 50), p99Ms = P(times, 99) });
            Console.Error.WriteLine($"  memo {Path.GetFileNameWithoutExtension(file)}: p50 {P(times, 50)} ms, p99 {P(times, 99)} ms");
        }
        return new
        {
            what = "rules + memo document + Markdown + HTML + JSON, per vendor",
            repetitions = Repetitions,
            perVendor,
            allVendors = new { p50Ms = P(all, 50), p99Ms = P(all, 99) },
            docx = new { what = "DOCX rendering of a built memo", p50Ms = P(docx, 50), p99Ms = P(docx, 99) },
        };
    }

    private static async Task<MemoDocument> GenerateAsync(ReviewMemoService memos, ImportResult.Accepted parsed, DateOnly asOf)
    {
        var memo = await memos.AssessAsync(parsed.Vendor, asOf, parsed.Answers, "bench", CancellationToken.None);
        _ = MemoMarkdown.Render(memo);
        _ = MemoHtml.Fragment(memo);
        _ = MemoJson.Render(memo);
        return memo;
    }

    private static async Task<object> VendorsPageAsync(string root, string folder)
    {
        var db = Path.Combine(folder, "vendors.db");
        // Development: the local developer identity, so the pages need no identity provider (as in the tests).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:SqlitePath"] = db,
            ["Knowledge:Path"] = Path.Combine(root, "knowledge"),
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddOperations();
        builder.AddAccess();
        builder.Logging.ClearProviders();
        builder.Services.AddDueDiligenceCore(builder.Configuration);
        builder.Services.AddChannels(builder.Configuration);
        await using var app = builder.Build();
        app.UseOperations();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapChannelEndpoints();
        await app.StartAsync();

        var seedTime = Stopwatch.StartNew();
        await SeedAsync(app.Services.GetRequiredService<IDbConnectionFactory>(), VendorCount);
        seedTime.Stop();
        Console.Error.WriteLine($"  seeded {VendorCount:N0} vendors in {seedTime.Elapsed.TotalSeconds:0.0} s");

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        async Task<object> Measure(string url)
        {
            for (var i = 0; i < 10; i++) (await http.GetAsync(url)).EnsureSuccessStatusCode();
            var times = new List<double>(PageRequests);
            long bytes = 0;
            for (var i = 0; i < PageRequests; i++)
            {
                var sw = Stopwatch.StartNew();
                var body = await http.GetByteArrayAsync(url);
                times.Add(sw.Elapsed.TotalMilliseconds);
                bytes = body.Length;
            }
            Console.Error.WriteLine($"  GET {url}: p50 {P(times, 50)} ms, p99 {P(times, 99)} ms");
            return new { url, requests = PageRequests, bytes, p50Ms = P(times, 50), p99Ms = P(times, 99) };
        }
        var results = new[]
        {
            await Measure("/vendors"),
            await Measure("/vendors?page=50"),
            await Measure("/vendors?q=vendor%2009"),
        };
        await app.StopAsync();
        return new { vendors = VendorCount, pageSize = 100, seedSeconds = Math.Round(seedTime.Elapsed.TotalSeconds, 2), results };
    }

    /// <summary>10,000 vendors, each with a completed review, a memo version and (for a third) a decision, in one transaction.</summary>
    private static async Task SeedAsync(IDbConnectionFactory factory, int count)
    {
        await using var turn = await factory.BeginTurnAsync();
        var (connection, tx) = (turn.Connection, turn.Transaction);
        string[] ratings = ["low", "moderate", "high", "critical"];
        var at = "2026-11-23T12:00:00.0000000+00:00";
        for (var i = 1; i <= count; i++)
        {
            var name = $"Vendor {i:00000}";
            var vendorId = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO vendors (name, name_key, created_at) VALUES (@Name, @Key, @At) RETURNING id",
                new { Name = name, Key = ReviewStore.NameKey(name), At = at }, tx);
            var reviewId = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO reviews (vendor_id, number, status, started_at, started_by, completed_at) VALUES (@V, 1, 'complete', @At, 'bench', @At) RETURNING id",
                new { V = vendorId, At = at }, tx);
            var versionId = await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO memo_versions (vendor_id, review_id, version, as_of, rating, flag_ids, answers_fingerprint, next_due_on, next_due_what, document_json, created_at, created_by)
                VALUES (@V, @R, 1, '2026-11-23', @Rating, 'byod_gap', 'bench', @Due, 'SOC 2 report becomes stale', '{}', @At, 'bench') RETURNING id
                """, new { V = vendorId, R = reviewId, Rating = ratings[i % 4], Due = new DateOnly(2026, 1, 1).AddDays(i % 700).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), At = at }, tx);
            if (i % 3 == 0)
                await connection.ExecuteAsync(
                    "INSERT INTO memo_decisions (memo_version_id, vendor_id, decision, conditions, reviewer, decided_at) VALUES (@M, @V, 'approved', NULL, 'bench', @At)",
                    new { M = versionId, V = vendorId, At = at }, tx);
        }
        await tx.CommitAsync();
    }

    private static double P(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        var index = (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1;
        return Math.Round(sorted[Math.Clamp(index, 0, sorted.Count - 1)], 3);
    }

    private static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "DueDiligenceBot.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }
}
