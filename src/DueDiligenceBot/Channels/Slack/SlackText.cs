using System.Text;
using System.Text.RegularExpressions;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>Slack's text rules: what we send is escaped, what we receive is unescaped.</summary>
public static partial class SlackText
{
    /// <summary>
    /// Escapes the three characters Slack gives meaning to (&amp;, &lt;, &gt;), so text a person or a vendor
    /// typed cannot become <c>&lt;!channel&gt;</c>, <c>&lt;@U123&gt;</c> or a link.
    /// </summary>
    public static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny('&', '<', '>') < 0) return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Message text as Slack delivers it: entities back to characters, links to their label or address.</summary>
    public static string Unescape(string text)
    {
        // <https://example.com|label> → label, <https://example.com> → https://example.com; mentions stay as they are.
        var t = LinkPattern().Replace(text, m => m.Groups["label"].Success ? m.Groups["label"].Value : m.Groups["url"].Value);
        return t.Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal);
    }

    /// <summary>Removes mentions of the bot (<c>&lt;@U123&gt;</c> or <c>&lt;@U123|name&gt;</c>); with no bot id known, a leading mention.</summary>
    public static string StripBotMention(string text, IReadOnlyCollection<string> botUserIds)
    {
        if (botUserIds.Count == 0) return LeadingMention().Replace(text, "").Trim();
        return MentionPattern().Replace(text, m => botUserIds.Contains(m.Groups["id"].Value) ? " " : m.Value).Trim();
    }

    /// <summary>A link whose address is a plain http(s) URL with nothing that could end the link early; null otherwise.</summary>
    public static string? Link(string? url, string label)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https")) return null;
        if (url.AsSpan().IndexOfAny("<>| \t\r\n\"") >= 0) return null;
        return $"<{url.Replace("&", "&amp;", StringComparison.Ordinal)}|{Escape(label)}>";
    }

    /// <summary>Cuts <paramref name="text"/> into pieces of at most <paramref name="max"/> characters, at line ends where it can.</summary>
    public static IEnumerable<string> Chunk(string text, int max)
    {
        var rest = text;
        while (rest.Length > max)
        {
            var cut = rest.LastIndexOf('\n', max - 1);
            if (cut < max / 2) cut = rest.LastIndexOf(' ', max - 1);
            if (cut < max / 2) cut = max;
            // Never split an entity such as &amp; in two.
            var amp = rest.LastIndexOf('&', cut - 1);
            if (amp >= 0 && cut - amp < 5 && rest.IndexOf(';', amp) >= cut) cut = amp;
            yield return rest[..cut].TrimEnd();
            rest = rest[cut..].TrimStart('\n', ' ');
        }
        if (rest.Length > 0) yield return rest;
    }

    public static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    [GeneratedRegex(@"<(?<url>(?:https?|mailto):[^|>]*)(?:\|(?<label>[^>]*))?>")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"<@(?<id>[UW][A-Z0-9]+)(?:\|[^>]*)?>")]
    private static partial Regex MentionPattern();

    [GeneratedRegex(@"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>")]
    private static partial Regex LeadingMention();
}
