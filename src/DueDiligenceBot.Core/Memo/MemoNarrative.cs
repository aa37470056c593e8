using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DueDiligenceBot.Core.Memo;

/// <summary>
/// Writes the memo's executive summary from the computed findings, e.g. with a language model through
/// Semantic Kernel and <c>prompts/risk-memo.yaml</c>. Returns the model's raw output (the JSON the
/// prompt asks for), or null to keep the deterministic summary. It never decides a flag or the rating:
/// <see cref="NarrativeCheck"/> rejects any output that disagrees with them.
/// </summary>
public interface IMemoNarrator
{
    Task<string?> SummariseAsync(MemoDocument memo, CancellationToken ct);
}

/// <summary>The default: no model, so the deterministic summary stands.</summary>
public sealed class RulesOnlyNarrator : IMemoNarrator
{
    public Task<string?> SummariseAsync(MemoDocument memo, CancellationToken ct) => Task.FromResult<string?>(null);
}

public abstract record NarrativeVerdict
{
    public sealed record Accepted(string Summary) : NarrativeVerdict;
    public sealed record Rejected(string Reason) : NarrativeVerdict;
}

/// <summary>
/// Checks a narrator's output against the computed memo: the same rating, exactly the same flag ids,
/// and a summary that claims no other rating and names no other flag.
/// </summary>
public static partial class NarrativeCheck
{
    public const int MaxSummaryLength = 1500;

    public static NarrativeVerdict Check(MemoDocument memo, string output)
    {
        var text = output.Trim();
        var fence = Fence().Match(text);
        if (fence.Success) text = fence.Groups[1].Value.Trim();
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return new NarrativeVerdict.Rejected("the output is not the JSON the prompt asks for");
        }
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("rating", out var rating) || rating.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("flag_ids", out var ids) || ids.ValueKind != JsonValueKind.Array
            || !root.TryGetProperty("summary", out var summaryElement) || summaryElement.ValueKind != JsonValueKind.String)
            return new NarrativeVerdict.Rejected("the output lacks rating, flag_ids or summary");

        var expected = memo.Rating.Id();
        if (!string.Equals(rating.GetString(), expected, StringComparison.OrdinalIgnoreCase))
            return new NarrativeVerdict.Rejected($"the output changes the rating ({rating.GetString()} instead of {expected})");

        var computed = memo.AllFindings.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        var given = ids.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.String ? i.GetString()! : "").ToList();
        var added = given.Where(i => !computed.Contains(i)).ToList();
        var dropped = computed.Where(i => !given.Contains(i)).ToList();
        if (added.Count > 0 || dropped.Count > 0 || given.Count != computed.Count)
            return new NarrativeVerdict.Rejected($"the output changes the flags (added: {string.Join(", ", added)}; dropped: {string.Join(", ", dropped)})");

        var summary = summaryElement.GetString()!.Trim();
        if (summary.Length == 0 || summary.Length > MaxSummaryLength)
            return new NarrativeVerdict.Rejected($"the summary is empty or longer than {MaxSummaryLength} characters");
        if (!Regex.IsMatch(summary, $@"\b{expected}\b", RegexOptions.IgnoreCase))
            return new NarrativeVerdict.Rejected("the summary does not state the rating");
        foreach (Match m in RatingClaim().Matches(summary))
        {
            var level = m.Groups.Values.Skip(1).First(g => g.Success).Value.ToLowerInvariant();
            if (level == "medium") level = "moderate";
            if (level != expected)
                return new NarrativeVerdict.Rejected($"the summary claims a {level} rating");
        }
        var foreign = FlagCatalog.All.Select(f => f.Id).Where(id => !computed.Contains(id) && summary.Contains(id, StringComparison.OrdinalIgnoreCase)).ToList();
        if (foreign.Count > 0)
            return new NarrativeVerdict.Rejected($"the summary names flags that were not raised ({string.Join(", ", foreign)})");
        return new NarrativeVerdict.Accepted(summary);
    }

    /// <summary>
    /// What the model is given: the computed facts, with the vendor's answers marked as quoted data.
    /// The prompt's <c>memo_facts</c> variable.
    /// </summary>
    public static string Facts(MemoDocument memo) => JsonSerializer.Serialize(new
    {
        vendor = memo.Vendor,
        as_of = memo.AsOf.ToString("yyyy-MM-dd"),
        rating = memo.Rating.Id(),
        rating_reasons = memo.RatingReasons,
        recommendation = memo.Recommendation,
        flags = memo.AllFindings.Select(f => new
        {
            id = f.Id,
            severity = f.Severity.Id(),
            title = f.Title,
            quoted_vendor_answers = f.Evidence.Select(e => new { question_key = e.Key, answer = e.Answer }),
        }),
        open_questions = memo.Open.Count,
        dates = memo.Dates.Select(d => new { date = d.Date.ToString("yyyy-MM-dd"), what = d.What }),
    }, new JsonSerializerOptions { Encoder = JavaScriptEncoder.Default });

    [GeneratedRegex(@"^```(?:json)?\s*(.*?)\s*```$", RegexOptions.Singleline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"\b(low|moderate|medium|high|critical)(?:[- ]risk\b|\s+(?:overall\s+)?rating\b)|\brated\s+(?:as\s+)?(low|moderate|medium|high|critical)\b|\brating\s+(?:of|is|:)\s*(low|moderate|medium|high|critical)\b", RegexOptions.IgnoreCase)]
    private static partial Regex RatingClaim();
}
