using System.Text;
using System.Text.RegularExpressions;

namespace DueDiligenceBot.Core.Knowledge.Retrieval;

public enum ControlFamily
{
    /// <summary>A section of 45 CFR (164.312(b), 164.308(a)(1)(ii)(A), 160.103).</summary>
    Cfr,
    /// <summary>A SOC 2 Trust Services criterion (CC6.1, A1.2, PI1.5) or series (CC6, P1).</summary>
    Soc2,
}

/// <summary>A control id in canonical form: <c>164.312(e)(1)</c>, <c>164.308(a)(1)(ii)(A)</c>, <c>CC6.1</c>.</summary>
public readonly record struct ControlId(ControlFamily Family, string Canonical)
{
    /// <summary>The search term: the canonical form lower-cased, so it never collides with a word.</summary>
    public string Term => Canonical.ToLowerInvariant();

    /// <summary>The id and every id it belongs to: 164.312(e)(1) → 164.312, 164.312(e), 164.312(e)(1); CC6.1 → CC6, CC6.1.</summary>
    public IEnumerable<ControlId> SelfAndParents()
    {
        if (Family == ControlFamily.Soc2)
        {
            var dot = Canonical.IndexOf('.');
            if (dot > 0) yield return this with { Canonical = Canonical[..dot] };
            yield return this;
            yield break;
        }
        var paren = Canonical.IndexOf('(');
        while (paren > 0)
        {
            yield return this with { Canonical = Canonical[..paren] };
            paren = Canonical.IndexOf('(', paren + 1);
        }
        yield return this;
    }

    /// <summary>True when this id is <paramref name="other"/> or one of its parents.</summary>
    public bool Covers(ControlId other) =>
        Family == other.Family &&
        (other.Canonical.Equals(Canonical, StringComparison.OrdinalIgnoreCase) ||
         (other.Canonical.StartsWith(Canonical, StringComparison.OrdinalIgnoreCase) &&
          other.Canonical[Canonical.Length] is '(' or '.'));

    public override string ToString() => Canonical;
}

/// <summary>
/// Finds control ids however people type them — <c>164.312(b)</c>, <c>§ 164.312(b)</c>, <c>164.312 b</c>,
/// <c>164.312 e 1</c>, <c>45 CFR 164.312(e)(1)</c>, <c>CC6.1</c>, <c>cc 6.1</c> — and writes them one way.
/// </summary>
public static partial class ControlIds
{
    // CFR: part 160/164, a section, then paragraphs either in parentheses or as bare tokens separated by spaces
    // ("164.312 e 1"). Paragraph levels alternate: (a) letter, (1) number, (ii) roman numeral, (A) letter.
    [GeneratedRegex(@"(?<![\w.])§*\s*(?<sec>16[04]\.\d{3})(?<paras>(?:\s?\((?:[a-z]|\d{1,2}|[ivx]{1,5})\))+|(?:[ \t]+(?:[a-z]|\d{1,2}|[ivx]{1,4})(?![\w.(]))+)?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CfrPattern();

    // SOC 2: CC, PI, A, C, P families. "cc 6.1" and "pi 1.5" may have a space; the one-letter families may not
    // ("a 1" is too common in prose). A bare series (CC6, A1, P8) is accepted too.
    [GeneratedRegex(@"(?<![\w.])(?:(?<fam>cc|pi)\s?|(?<fam>[acp]))(?<major>[1-9])(?:\.(?<minor>\d{1,2}))?(?![\w]|\.\d)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Soc2Pattern();

    [GeneratedRegex(@"[a-z0-9]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ParagraphToken();

    /// <summary>A control id found in text, with where it was.</summary>
    public readonly record struct Match(ControlId Id, int Index, int Length);

    /// <summary>Every control id in <paramref name="text"/>, in order of appearance.</summary>
    public static List<Match> Find(string text)
    {
        var found = new List<Match>();
        foreach (System.Text.RegularExpressions.Match m in CfrPattern().Matches(text))
        {
            if (Canonicalize(m.Groups["sec"].Value, m.Groups["paras"].Value) is { } id)
                found.Add(new Match(id, m.Index, m.Length));
        }
        foreach (System.Text.RegularExpressions.Match m in Soc2Pattern().Matches(text))
        {
            if (Overlaps(found, m.Index, m.Length)) continue;
            var fam = m.Groups["fam"].Value.ToUpperInvariant();
            var major = m.Groups["major"].Value;
            var canonical = m.Groups["minor"].Success ? $"{fam}{major}.{int.Parse(m.Groups["minor"].Value)}" : fam + major;
            // A bare "A1"/"C1"/"P1" series only counts for the criteria families that have one.
            if (!m.Groups["minor"].Success && !IsKnownSeries(fam, major[0] - '0')) continue;
            if (m.Groups["minor"].Success && !IsPlausibleCriterion(fam, major[0] - '0')) continue;
            found.Add(new Match(new ControlId(ControlFamily.Soc2, canonical), m.Index, m.Length));
        }
        found.Sort((a, b) => a.Index.CompareTo(b.Index));
        return found;
    }

    /// <summary>Parses one id as written in a note's <c>controls</c> list or the crosswalk; null when it is not one.</summary>
    public static ControlId? Parse(string text)
    {
        var matches = Find(text.Trim());
        return matches.Count == 1 && matches[0].Length >= text.Trim().Length - 1 ? matches[0].Id : null;
    }

    private static bool IsKnownSeries(string fam, int major) => fam switch
    {
        "CC" => major is >= 1 and <= 9,
        "A" or "C" => major == 1,
        "PI" => major == 1,
        "P" => major is >= 1 and <= 8,
        _ => false,
    };

    private static bool IsPlausibleCriterion(string fam, int major) => IsKnownSeries(fam, major);

    private static bool Overlaps(List<Match> found, int index, int length) =>
        found.Any(f => index < f.Index + f.Length && f.Index < index + length);

    private static ControlId? Canonicalize(string section, string paragraphs)
    {
        var sb = new StringBuilder(section);
        var level = 0;
        foreach (System.Text.RegularExpressions.Match p in ParagraphToken().Matches(paragraphs))
        {
            var t = p.Value;
            var ok = level switch
            {
                0 => t.Length == 1 && char.IsLetter(t[0]),
                1 => char.IsDigit(t[0]),
                2 => t.All(c => c is 'i' or 'v' or 'x' or 'I' or 'V' or 'X'),
                3 => t.Length == 1 && char.IsLetter(t[0]),
                _ => false,
            };
            if (!ok) break;
            sb.Append('(').Append(level == 3 ? t.ToUpperInvariant() : t.ToLowerInvariant()).Append(')');
            level++;
        }
        return new ControlId(ControlFamily.Cfr, sb.ToString());
    }
}
