using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DueDiligenceBot.Core.Memo;

/// <summary>
/// The memo as the JSON of the public contract (ARCHITECTURE.md):
/// <c>{"vendor","asOf","rating","flags":[{"id","severity","title","evidence","followUp","citations"}],"markdown"}</c>,
/// plus a few fields a client can ignore (recommendation, ratingReasons, open, gap and whyItMatters per flag).
/// </summary>
public static class MemoJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static object Model(MemoDocument m) => new
    {
        vendor = m.Vendor,
        asOf = m.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        rating = m.Rating.Id(),
        recommendation = m.Recommendation,
        ratingReasons = m.RatingReasons,
        review = m.ReviewNumber,
        version = m.Version,
        flags = m.AllFindings.Select(f => new
        {
            id = f.Id,
            severity = f.Severity.Id(),
            title = f.Title,
            evidence = f.Evidence.Select(e => new { key = e.Key, question = e.Question, answer = e.Answer, by = e.By, channel = e.Channel, at = e.At }),
            followUp = f.FollowUp,
            citations = f.Citations.Select(c => new { kind = c.Kind.ToString().ToLowerInvariant(), id = c.Id, title = c.Title, url = c.Url }),
            gap = m.Findings.First(g => g.Findings.Contains(f)).Gap.ToString(),
            whyItMatters = f.WhyItMatters,
        }),
        open = m.Open.Select(o => new { key = o.Key, question = o.Question, status = o.Status }),
        markdown = MemoMarkdown.Render(m),
    };

    public static string Render(MemoDocument m) => JsonSerializer.Serialize(Model(m), Options);

    /// <summary>The memo document itself, as stored per version.</summary>
    public static string Serialize(MemoDocument m) => JsonSerializer.Serialize(m, StoreOptions);

    public static MemoDocument Deserialize(string json) =>
        JsonSerializer.Deserialize<MemoDocument>(json, StoreOptions) ?? throw new InvalidDataException("empty memo document");

    private static readonly JsonSerializerOptions StoreOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
