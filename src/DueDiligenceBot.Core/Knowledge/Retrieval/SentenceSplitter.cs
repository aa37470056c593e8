using System.Text;

namespace DueDiligenceBot.Core.Knowledge.Retrieval;

/// <summary>Splits a section into sentences, keeping "e.g.", "i.e.", "vs." and "U.S." inside theirs.</summary>
public static class SentenceSplitter
{
    private static readonly string[] Abbreviations = ["e.g.", "i.e.", "vs.", "etc.", "u.s.", "no.", "inc.", "st.", "cf.", "approx.", "dr.", "mr.", "ms."];

    public static List<string> Split(string text)
    {
        var sentences = new List<string>();
        foreach (var paragraph in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = paragraph.Trim();
            if (line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal)) line = line[2..];
            line = line.Replace("**", "", StringComparison.Ordinal).Replace("`", "", StringComparison.Ordinal);
            if (line.Length == 0) continue;
            var start = 0;
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (c is not ('.' or '?' or '!')) continue;
                var end = i + 1;
                while (end < line.Length && line[end] is '"' or '”' or ')' or '’') end++;
                if (end < line.Length && line[end] != ' ') continue;
                var next = end + 1 < line.Length ? line[end + 1] : '\0';
                if (end < line.Length && !(char.IsUpper(next) || char.IsDigit(next) || next is '"' or '“' or '(' or '§')) continue;
                if (c == '.' && EndsWithAbbreviation(line, start, i + 1)) continue;
                Add(sentences, line[start..end]);
                start = end;
            }
            if (start < line.Length) Add(sentences, line[start..]);
        }
        return sentences;
    }

    private static bool EndsWithAbbreviation(string line, int start, int end)
    {
        var span = line.AsSpan(start, end - start);
        foreach (var a in Abbreviations)
        {
            if (span.EndsWith(a, StringComparison.OrdinalIgnoreCase) &&
                (span.Length == a.Length || !char.IsLetter(span[^(a.Length + 1)])))
                return true;
        }
        return false;
    }

    private static void Add(List<string> sentences, string s)
    {
        s = s.Trim();
        if (s.Length > 0) sentences.Add(s);
    }

    /// <summary>Joins sentences into one paragraph.</summary>
    public static string Join(IEnumerable<string> sentences)
    {
        var sb = new StringBuilder();
        foreach (var s in sentences)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(s);
        }
        return sb.ToString();
    }
}
