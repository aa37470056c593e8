using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DueDiligenceBot.Core.Checklist;

/// <summary>The outcome of reading a typed answer: a value to store, or a reason it does not fit.</summary>
public abstract record ParsedAnswer
{
    public sealed record Accepted(JsonElement Value, string Display) : ParsedAnswer;
    public sealed record Rejected(string Message) : ParsedAnswer;
}

/// <summary>Reads free-text answers per question type, in the forms people actually type.</summary>
public static partial class AnswerParser
{
    public const int MaxTextLength = 4000;

    private static readonly HashSet<string> UnknownWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "unknown", "don't know", "dont know", "do not know", "not sure", "idk", "unsure", "no idea", "?", "dunno",
    };

    private static readonly string[] YesWords = ["yes", "y", "yep", "yeah", "yup", "true", "correct", "affirmative", "sure", "definitely", "absolutely", "they do", "it does", "we have", "signed"];
    private static readonly string[] NoWords = ["no", "n", "nope", "nah", "false", "not", "never", "negative", "they don't", "they do not", "none"];

    public static bool IsUnknown(string text) => UnknownWords.Contains(Normalize(text));

    public static ParsedAnswer Parse(Question q, string text)
    {
        var raw = text.Trim();
        if (raw.Length == 0) return new ParsedAnswer.Rejected($"Please type an answer. {Accepted(q)}");
        if (IsUnknown(raw))
        {
            // Some choices have an explicit "unknown" option (the vendor could not tell us); that beats null.
            if (q.Type == QuestionType.Choice && q.Options.FirstOrDefault(o => o.Value == "unknown") is { } option)
                return new ParsedAnswer.Accepted(JsonString(option.Value), option.Label);
            return new ParsedAnswer.Accepted(JsonNull, "unknown");
        }
        return q.Type switch
        {
            QuestionType.YesNo => ParseYesNo(q, raw),
            QuestionType.Choice => ParseChoice(q, raw),
            QuestionType.MultiChoice => ParseMulti(q, raw),
            QuestionType.Date => ParseDate(q, raw),
            QuestionType.Number => ParseNumber(q, raw),
            _ => ParseText(raw),
        };
    }

    /// <summary>One sentence saying what a question accepts, for re-prompts and help.</summary>
    public static string Accepted(Question q) => q.Type switch
    {
        QuestionType.YesNo => "Answer yes or no (or 'unknown').",
        QuestionType.Choice => $"Answer with one of: {OptionList(q)} — by number or by name (or 'unknown').",
        QuestionType.MultiChoice => $"Answer with one or more of: {OptionList(q)} — numbers or names separated by commas, or 'all' (or 'unknown').",
        QuestionType.Date => "Answer with a date such as 2026-06-30, 06/30/2026 or June 30 2026 (or 'unknown').",
        QuestionType.Number => $"Answer with a whole number{(q.Unit is null ? "" : $" of {q.Unit}")}{Range(q)} (or 'unknown').",
        _ => "Type the answer in a few words, 'none' if there is nothing to report, or 'unknown'.",
    };

    public static string Display(Question q, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "unknown",
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Number => q.Unit is null ? value.GetRawText() : $"{value.GetRawText()} {q.Unit}",
        JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(v => LabelOf(q, v.GetString() ?? ""))),
        JsonValueKind.String when q.Type == QuestionType.Choice => LabelOf(q, value.GetString() ?? ""),
        _ => value.GetString() ?? "",
    };

    private static string LabelOf(Question q, string value) => q.Options.FirstOrDefault(o => o.Value == value)?.Label ?? value;

    private static string OptionList(Question q) =>
        string.Join("; ", q.Options.Select((o, i) => $"{i + 1}. {o.Label}"));

    private static string Range(Question q) => (q.Min, q.Max) switch
    {
        (int min, int max) => $" from {min} to {max}",
        (int min, null) => $" of at least {min}",
        (null, int max) => $" up to {max}",
        _ => "",
    };

    private static ParsedAnswer ParseYesNo(Question q, string raw)
    {
        var t = Regex.Replace(Normalize(raw), @"[^\w' ]+", " ").Trim();
        t = Regex.Replace(t, @"\s+", " ");
        if (Matches(t, YesWords) && !Matches(t, NoWords)) return new ParsedAnswer.Accepted(JsonTrue, "yes");
        if (Matches(t, NoWords)) return new ParsedAnswer.Accepted(JsonFalse, "no");
        return new ParsedAnswer.Rejected($"I could not read \"{Clip(raw)}\" as yes or no. {Accepted(q)}");
    }

    // A yes/no word counts when the answer is that word or starts with it ("yes, since 2021").
    private static bool Matches(string t, string[] words) =>
        words.Any(w => t == w || t.StartsWith(w + " ", StringComparison.Ordinal));

    private static ParsedAnswer ParseChoice(Question q, string raw)
    {
        var found = MatchOption(q, raw, out var ambiguous);
        if (found is not null) return new ParsedAnswer.Accepted(JsonString(found.Value), found.Label);
        return new ParsedAnswer.Rejected(ambiguous.Count > 1
            ? $"\"{Clip(raw)}\" could be {string.Join(" or ", ambiguous.Select(o => o.Label))}. {Accepted(q)}"
            : $"\"{Clip(raw)}\" is not one of the options. {Accepted(q)}");
    }

    private static ParsedAnswer ParseMulti(Question q, string raw)
    {
        var t = Normalize(raw);
        if (t is "all" or "all of them" or "all of these" or "all five")
            return Multi(q.Options);
        var parts = SplitList().Split(raw).Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
        var picked = new List<ChoiceOption>();
        foreach (var part in parts)
        {
            var o = MatchOption(q, part, out var ambiguous);
            if (o is null)
                return new ParsedAnswer.Rejected(ambiguous.Count > 1
                    ? $"\"{Clip(part)}\" could be {string.Join(" or ", ambiguous.Select(a => a.Label))}. {Accepted(q)}"
                    : $"\"{Clip(part)}\" is not one of the options. {Accepted(q)}");
            if (!picked.Contains(o)) picked.Add(o);
        }
        if (picked.Count == 0) return new ParsedAnswer.Rejected(Accepted(q));
        return Multi(q.Options.Where(picked.Contains).ToList());
    }

    private static ParsedAnswer Multi(IReadOnlyList<ChoiceOption> options)
    {
        var json = JsonSerializer.SerializeToElement(options.Select(o => o.Value).ToArray());
        return new ParsedAnswer.Accepted(json, string.Join(", ", options.Select(o => o.Label)));
    }

    private static ChoiceOption? MatchOption(Question q, string raw, out List<ChoiceOption> candidates)
    {
        candidates = [];
        var t = Canonical(raw);
        if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= q.Options.Count)
            return q.Options[n - 1];
        var exact = q.Options.Where(o => Canonical(o.Value) == t || Canonical(o.Label) == t).ToList();
        if (exact.Count == 1) return exact[0];
        if (t.Length < 2) return null;
        candidates = q.Options.Where(o => ContainsWords(Canonical(o.Label), t) || ContainsWords(Canonical(o.Value), t)).ToList();
        if (candidates.Count == 1) return candidates[0];
        // "the carve-out method" or "type 2 report": the answer contains an option's value.
        var inside = q.Options.Where(o => ContainsWords(t, Canonical(o.Value))).ToList();
        if (candidates.Count == 0 && inside.Count == 1) return inside[0];
        if (candidates.Count == 0) candidates = inside;
        return null;
    }

    private static bool ContainsWords(string haystack, string needle) =>
        needle.Length > 0 && $" {haystack} ".Contains($" {needle} ", StringComparison.Ordinal);

    // Lower-case words without punctuation; roman and spelled-out ones and twos as digits, so
    // "Type II", "type two" and "type 2" read alike.
    private static string Canonical(string s)
    {
        var words = WordSplit().Split(s.ToLowerInvariant()).Where(w => w.Length > 0).Select(w => w switch
        {
            "i" or "one" => "1",
            "ii" or "two" => "2",
            "soc2" => "soc 2",
            "type1" => "type 1",
            "type2" => "type 2",
            "carveout" => "carve out",
            _ => w,
        });
        return string.Join(' ', words);
    }

    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy-M-d", "yyyy/MM/dd", "yyyy/M/d", "M/d/yyyy", "MM/dd/yyyy", "M-d-yyyy", "MM-dd-yyyy",
        "MMMM d yyyy", "MMMM d, yyyy", "MMM d yyyy", "MMM d, yyyy", "d MMMM yyyy", "d MMM yyyy", "MMMM dd yyyy", "dd MMMM yyyy",
        "MMM. d yyyy", "MMM. d, yyyy",
    ];

    private static ParsedAnswer ParseDate(Question q, string raw)
    {
        var t = OrdinalSuffix().Replace(raw.Trim().TrimEnd('.'), "$1");
        t = Regex.Replace(t, @"\s+", " ");
        if (DateOnly.TryParseExact(t, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var d))
            return AcceptDate(d);
        // Day-first dates are unambiguous when the first number cannot be a month (30/06/2026).
        if (DateOnly.TryParseExact(t, ["d/M/yyyy", "dd/MM/yyyy", "d.M.yyyy", "dd.MM.yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out d))
            return AcceptDate(d);
        if (MonthOnly().IsMatch(t))
            return new ParsedAnswer.Rejected($"\"{Clip(raw)}\" names a month, not a day: please give the exact date (for the end of June 2026, type 2026-06-30). {Accepted(q)}");
        return new ParsedAnswer.Rejected($"I could not read \"{Clip(raw)}\" as a date. {Accepted(q)}");
    }

    private static ParsedAnswer AcceptDate(DateOnly d)
    {
        if (d.Year is < 1990 or > 2100)
            return new ParsedAnswer.Rejected($"{d:yyyy-MM-dd} is outside the years 1990–2100; please check the year.");
        return new ParsedAnswer.Accepted(JsonString(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            d.ToString("yyyy-MM-dd (MMMM d, yyyy)", CultureInfo.InvariantCulture));
    }

    private static ParsedAnswer ParseNumber(Question q, string raw)
    {
        var m = NumberWithUnit().Match(raw.Trim().ToLowerInvariant());
        if (!m.Success) return new ParsedAnswer.Rejected($"I could not read \"{Clip(raw)}\" as a number. {Accepted(q)}");
        if (!long.TryParse(m.Groups["n"].Value.Replace(",", ""), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > int.MaxValue)
            return new ParsedAnswer.Rejected($"\"{Clip(raw)}\" is too large. {Accepted(q)}");
        if (m.Groups["frac"].Success)
            return new ParsedAnswer.Rejected($"Please give a whole number. {Accepted(q)}");
        var unit = m.Groups["unit"].Value;
        var value = (int)n;
        if (unit.Length > 0 && q.Unit is not null)
        {
            var factor = UnitFactor(unit, q.Unit);
            if (factor is null)
                return new ParsedAnswer.Rejected($"This question is answered in {q.Unit}, not \"{unit}\". {Accepted(q)}");
            value = (int)Math.Min(int.MaxValue, n * factor.Value);
        }
        if ((q.Min is int min && value < min) || (q.Max is int max && value > max))
            return new ParsedAnswer.Rejected($"{value}{(q.Unit is null ? "" : " " + q.Unit)} is outside the accepted range. {Accepted(q)}");
        return new ParsedAnswer.Accepted(JsonSerializer.SerializeToElement(value), q.Unit is null ? $"{value}" : $"{value} {q.Unit}");
    }

    private static long? UnitFactor(string typed, string expected)
    {
        static string Stem(string u) => u.TrimEnd('s') switch
        {
            "mo" or "mth" or "month" => "month",
            "yr" or "year" => "year",
            "wk" or "week" => "week",
            "d" or "day" or "calendar day" or "business day" => "day",
            "h" or "hr" or "hour" => "hour",
            "min" or "minute" => "minute",
            var other => other,
        };
        var t = Stem(typed.Trim());
        var e = Stem(expected.Trim());
        if (t == e) return 1;
        return (t, e) switch
        {
            ("year", "month") => 12,
            ("week", "day") => 7,
            ("day", "hour") => 24,
            ("hour", "minute") => 60,
            _ => null,
        };
    }

    private static ParsedAnswer ParseText(string raw)
    {
        if (raw.Length > MaxTextLength)
            return new ParsedAnswer.Rejected($"That answer is {raw.Length:N0} characters; please keep it under {MaxTextLength:N0} (summarise, and attach the detail to the vendor file).");
        return new ParsedAnswer.Accepted(JsonString(raw), raw);
    }

    private static string Normalize(string s) =>
        Regex.Replace(s.Trim().ToLowerInvariant().Replace('’', '\'').TrimEnd('.', '!'), @"\s+", " ");

    private static string Clip(string s) => s.Length <= 60 ? s : s[..57] + "...";

    private static JsonElement JsonString(string s) => JsonSerializer.SerializeToElement(s);
    private static readonly JsonElement JsonNull = JsonSerializer.SerializeToElement<object?>(null);
    private static readonly JsonElement JsonTrue = JsonSerializer.SerializeToElement(true);
    private static readonly JsonElement JsonFalse = JsonSerializer.SerializeToElement(false);

    [GeneratedRegex(@"\s*(?:,|;|/|&|\band\b|\+)\s*", RegexOptions.IgnoreCase)]
    private static partial Regex SplitList();

    [GeneratedRegex(@"[^a-z0-9]+")]
    private static partial Regex WordSplit();

    [GeneratedRegex(@"\b(\d{1,2})(?:st|nd|rd|th)\b", RegexOptions.IgnoreCase)]
    private static partial Regex OrdinalSuffix();

    [GeneratedRegex(@"^(?:(?:the\s+)?(?:end|start|beginning|middle|mid)\s+(?:of\s+)?)?[a-z]{3,9}\.?\s+\d{4}$", RegexOptions.IgnoreCase)]
    private static partial Regex MonthOnly();

    [GeneratedRegex(@"^(?:about\s+|approx(?:imately)?\s+|~\s*)?(?<n>\d{1,3}(?:,\d{3})+|\d+)(?<frac>\.\d+)?\s*(?<unit>[a-z][a-z ]*)?$")]
    private static partial Regex NumberWithUnit();
}
