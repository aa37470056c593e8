using System.Globalization;
using System.Text.Json;

namespace DueDiligenceBot.Core.Checklist;

/// <summary>The outcome of reading an import file: the answers, or every problem with it.</summary>
public abstract record ImportResult
{
    public sealed record Accepted(string Vendor, DateOnly? AsOf, AnswerSet Answers) : ImportResult;
    public sealed record Rejected(IReadOnlyList<string> Errors) : ImportResult;
}

/// <summary>
/// Reads the import format of shared/spec/checklist-keys.md:
/// <c>{"vendor": "Acme", "as_of": "2026-11-23", "answers": {key: value, ...}}</c>. Every answer is checked
/// against its checklist question; a file with any bad key is rejected whole, with a message per key.
/// </summary>
public static class AnswerImport
{
    public const int MaxFileBytes = 256 * 1024;

    public static ImportResult Parse(string json, ChecklistDefinition checklist, string? vendorFromPath = null)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            return new ImportResult.Rejected([$"the file is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"]);
        }
        using (doc)
            return Parse(doc.RootElement, checklist, vendorFromPath);
    }

    public static ImportResult Parse(JsonElement root, ChecklistDefinition checklist, string? vendorFromPath = null)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return new ImportResult.Rejected(["the file must be one JSON object: {\"vendor\": ..., \"as_of\": ..., \"answers\": {...}}"]);

        var errors = new List<string>();
        string? vendor = null;
        DateOnly? asOf = null;
        JsonElement? answers = null;
        var seenTop = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in root.EnumerateObject())
        {
            if (!seenTop.Add(p.Name)) { errors.Add($"'{p.Name}' appears more than once"); continue; }
            switch (p.Name)
            {
                case "vendor":
                    if (p.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(p.Value.GetString()))
                        errors.Add("'vendor' must be the vendor's name (a non-empty string)");
                    else vendor = p.Value.GetString()!.Trim();
                    break;
                case "as_of":
                    if (p.Value.ValueKind == JsonValueKind.Null) break;
                    if (p.Value.ValueKind == JsonValueKind.String && TryDate(p.Value.GetString()!, out var d)) asOf = d;
                    else errors.Add("'as_of' must be a date written YYYY-MM-DD (or left out for today)");
                    break;
                case "answers":
                    if (p.Value.ValueKind != JsonValueKind.Object) errors.Add("'answers' must be an object of answer keys and values");
                    else answers = p.Value;
                    break;
                default:
                    errors.Add($"'{p.Name}' is not part of the import format; accepted: vendor, as_of, answers");
                    break;
            }
        }
        if (vendorFromPath is not null)
        {
            if (vendor is not null && !string.Equals(Normalize(vendor), Normalize(vendorFromPath), StringComparison.OrdinalIgnoreCase))
                errors.Add($"'vendor' is \"{Clip(vendor)}\" but the address names \"{Clip(vendorFromPath)}\"");
            vendor ??= vendorFromPath.Trim();
        }
        else if (vendor is null && !seenTop.Contains("vendor"))
            errors.Add("'vendor' is required (the vendor's name)");
        if (answers is null && !seenTop.Contains("answers"))
            errors.Add("'answers' is required (an object of answer keys and values)");

        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (answers is { } a)
        {
            foreach (var p in a.EnumerateObject())
            {
                if (values.ContainsKey(p.Name)) { errors.Add($"'{p.Name}' appears more than once"); continue; }
                var q = checklist.Find(p.Name);
                if (q is null)
                {
                    errors.Add($"'{Clip(p.Name)}' is not an answer key of the checklist (see the keys in shared/spec/checklist-keys.md)");
                    continue;
                }
                if (Check(q, p.Value) is { } problem) errors.Add($"'{q.Key}' {problem}");
                else values[q.Key] = p.Value.Clone();
            }
        }
        if (errors.Count > 0) return new ImportResult.Rejected(errors);
        return new ImportResult.Accepted(vendor!, asOf, new AnswerSet(values));
    }

    /// <summary>Why <paramref name="v"/> is not a valid answer to <paramref name="q"/>, or null when it is.</summary>
    public static string? Check(Question q, JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Null) return null;
        var kind = v.ValueKind.ToString().ToLowerInvariant();
        switch (q.Type)
        {
            case QuestionType.YesNo:
                return v.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : $"must be true, false or null, not {Show(v)}";
            case QuestionType.Choice:
                if (v.ValueKind == JsonValueKind.String && q.Options.Any(o => o.Value == v.GetString())) return null;
                return $"is {Show(v)}; accepted: {Values(q)} or null";
            case QuestionType.MultiChoice:
                if (v.ValueKind != JsonValueKind.Array) return $"must be a list such as [\"{q.Options[0].Value}\"], not {kind}; accepted values: {Values(q)}";
                var items = v.EnumerateArray().ToList();
                var bad = items.Where(i => i.ValueKind != JsonValueKind.String || q.Options.All(o => o.Value != i.GetString())).ToList();
                if (bad.Count > 0) return $"has {string.Join(", ", bad.Select(Show))}; accepted values: {Values(q)}";
                if (items.Count == 0) return $"is an empty list; give at least one of {Values(q)}, or null";
                if (items.Select(i => i.GetString()).Distinct().Count() != items.Count) return "lists a value twice";
                return null;
            case QuestionType.Date:
                return v.ValueKind == JsonValueKind.String && TryDate(v.GetString()!, out _) ? null : $"is {Show(v)}; accepted: a date written YYYY-MM-DD, or null";
            case QuestionType.Number:
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n)) return $"is {Show(v)}; accepted: a whole number{Range(q)}, or null";
                if ((q.Min is int min && n < min) || (q.Max is int max && n > max)) return $"is {n}; accepted: a whole number{Range(q)}, or null";
                return null;
            default:
                if (v.ValueKind != JsonValueKind.String) return $"must be text (a string) or null, not {kind}";
                var s = v.GetString()!;
                if (s.Length > AnswerParser.MaxTextLength) return $"is {s.Length:N0} characters; at most {AnswerParser.MaxTextLength:N0} are accepted";
                if (s.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'))) return "contains control characters";
                return null;
        }
    }

    private static bool TryDate(string s, out DateOnly d) =>
        DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out d) && d.Year is >= 1990 and <= 2100;

    private static string Values(Question q) => string.Join(", ", q.Options.Select(o => o.Value));

    private static string Range(Question q) => (q.Min, q.Max) switch
    {
        (int min, int max) => $" from {min} to {max}",
        (int min, null) => $" of at least {min}",
        (null, int max) => $" up to {max}",
        _ => "",
    };

    private static string Show(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => $"\"{Clip(v.GetString()!)}\"",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        _ => Clip(v.GetRawText()),
    };

    private static string Normalize(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Clip(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
