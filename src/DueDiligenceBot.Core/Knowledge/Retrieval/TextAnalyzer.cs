using System.Collections.Frozen;

namespace DueDiligenceBot.Core.Knowledge.Retrieval;

public enum TermKind : byte
{
    /// <summary>A stemmed word.</summary>
    Word,
    /// <summary>The canonical term of a synonym group (prefixed with '=').</summary>
    Synonym,
    /// <summary>A control id in canonical form (lower-cased).</summary>
    Control,
}

/// <summary>One search term of a text, with what it came from.</summary>
/// <param name="Weight">Below 1 for terms the question only implies (a criterion's series, a corrected typo).</param>
/// <param name="InPhrase">A word that is part of a synonym phrase, whose meaning its canonical term also carries.</param>
public readonly record struct AnalyzedTerm(string Term, TermKind Kind, bool Corrected = false, float Weight = 1f, bool InPhrase = false);

/// <summary>A text cut into search terms, plus what tells whether it is about our frameworks at all.</summary>
public sealed class AnalyzedText
{
    public List<AnalyzedTerm> Terms { get; } = [];
    public List<ControlId> Controls { get; } = [];
    /// <summary>Names something of SOC 2 / HIPAA / HITRUST (a domain term, a synonym group marked domain, a control id).</summary>
    public bool HasDomainTerm { get; set; }
    /// <summary>Names one of our frameworks or its own artefacts (SOC 2, HIPAA, HITRUST, PHI, a BAA, a control id).</summary>
    public bool HasAnchorTerm { get; set; }
    /// <summary>Names another framework or field we keep no notes on.</summary>
    public bool HasOutOfScopeTerm { get; set; }
    /// <summary>Content words (not stop words) that are neither in the notes' vocabulary nor fixable as a typo.</summary>
    public int UnknownWords { get; set; }
    /// <summary>Content words in all.</summary>
    public int ContentWords { get; set; }
    /// <summary>Stemmed content words, in order, for sentence matching.</summary>
    public List<string> Stems { get; } = [];
}

/// <summary>
/// Turns notes and questions into search terms the same way: control ids found and written one way,
/// lower-cased words, Porter stems, synonym groups matched as phrases (adding their canonical term),
/// stop words dropped. For questions, Slack shorthand is rewritten and unknown words are corrected
/// against the notes' vocabulary (edit distance 1, or 2 for words of eight letters or more).
/// </summary>
public sealed partial class TextAnalyzer
{
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=[a-z] )\((R|A)\)(?=[\s,.;:]|$)")]
    private static partial System.Text.RegularExpressions.Regex SpecificationMarker();

    private static readonly FrozenSet<string> StopWords = new[]
    {
        "a", "an", "the", "and", "or", "but", "if", "of", "at", "by", "for", "with", "about", "against", "between", "into",
        "through", "during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over",
        "under", "again", "further", "then", "once", "here", "there", "when", "where", "why", "how", "all", "any", "both",
        "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "same", "so", "than", "too",
        "very", "s", "t", "can", "will", "just", "don", "dont", "doesnt", "isnt", "arent", "should", "now", "i", "me", "my",
        "we", "our", "ours", "you", "your", "he", "she", "it", "its", "they", "them", "their", "what", "which", "who", "whom",
        "this", "that", "these", "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had",
        "having", "do", "does", "did", "doing", "would", "could", "might", "shall", "may", "also", "us", "versus", "vs",
        "please", "thanks", "thank", "hey", "hi", "hello", "exactly", "actually", "really", "basically", "tell", "explain",
        "mean", "means", "meaning", "question", "quick", "anyone", "know", "want", "get", "got", "like", "thing", "things",
        "stuff", "okay", "right", "e", "g", "ie", "eg", "etc", "im", "ive", "whats", "let", "lets", "there", "theres",
        "even", "still", "yet", "via", "per", "something", "anything", "everything", "someone", "somebody", "go", "going",
        "say", "says", "said", "one", "much", "many", "well", "way", "ever", "whether", "cant", "wont", "own", "gonna",
    }.ToFrozenSet(StringComparer.Ordinal);

    private readonly TrieNode _trie = new();
    private readonly FrozenDictionary<string, string[]> _rewrites;

    public TextAnalyzer(Synonyms synonyms)
    {
        _rewrites = synonyms.Rewrites.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        foreach (var group in synonyms.Groups)
        {
            // A one-word canonical term is that word's own stem, so the word and its synonyms meet without a
            // second term; a phrase gets a term of its own ("=automat_logoff").
            var stems = StemAll(group[0]).ToList();
            var canonical = stems.Count == 1 ? stems[0] : "=" + string.Join('_', stems);
            foreach (var variant in group)
            {
                var node = AddPhrase(variant);
                if (!node.Emit.Contains(canonical)) node.Emit.Add(canonical);
            }
        }
        var domainCanonicals = new HashSet<string>(StringComparer.Ordinal);
        var anchorCanonicals = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in synonyms.Domain)
        {
            var node = AddPhrase(d);
            node.Domain = true;
            foreach (var c in node.Emit) domainCanonicals.Add(c);
        }
        foreach (var a in synonyms.Anchors)
        {
            var node = AddPhrase(a);
            node.Domain = node.Anchor = true;
            foreach (var c in node.Emit) anchorCanonicals.Add(c);
        }
        // An entry that is a variant of a group makes every variant of that group count the same way.
        Mark(_trie, domainCanonicals, anchorCanonicals);
        foreach (var o in synonyms.OutOfScope) AddPhrase(o).OutOfScope = true;
    }

    public static bool IsStopWord(string word) => StopWords.Contains(word);

    /// <summary>Cuts a note's text into terms (no rewrites, no typo correction).</summary>
    public AnalyzedText Analyze(string text) => Analyze(text, isQuery: false, null);

    /// <summary>
    /// Cuts <paramref name="text"/> into terms. For a question, shorthand is rewritten and
    /// <paramref name="correct"/> may replace an unknown word with a known one (or return null).
    /// </summary>
    public AnalyzedText Analyze(string text, bool isQuery, ITypoCorrector? correct)
    {
        var result = new AnalyzedText();
        // The regulation's "(R)" and "(A)" markers ("Automatic logoff (A)") say required or addressable.
        foreach (System.Text.RegularExpressions.Match m in SpecificationMarker().Matches(text))
            result.Terms.Add(new AnalyzedTerm(m.Groups[1].Value == "R" ? "requir" : "address", TermKind.Word));
        var lower = text.ToLowerInvariant();
        var words = new List<(string Raw, string Stem, bool Corrected)>();
        var pos = 0;
        foreach (var m in ControlIds.Find(lower))
        {
            Words(lower, pos, m.Index, words, isQuery, correct, result);
            Flush(words, result, isQuery);
            result.Controls.Add(m.Id);
            result.Terms.Add(new AnalyzedTerm(m.Id.Term, TermKind.Control));
            if (isQuery)
            {
                // "CC7.4" also means a little of "CC7", so a section about the series still matches.
                if (m.Id.Family == ControlFamily.Soc2 && m.Id.Canonical.Contains('.'))
                    result.Terms.Add(new AnalyzedTerm(m.Id.SelfAndParents().First().Term, TermKind.Control, Weight: 0.5f));
            }
            else
            {
                // A note mentioning 164.312(e)(1) also answers a question about 164.312(e) and 164.312.
                foreach (var parent in m.Id.SelfAndParents())
                    if (parent.Canonical != m.Id.Canonical) result.Terms.Add(new AnalyzedTerm(parent.Term, TermKind.Control, Weight: 0.5f));
            }
            result.HasDomainTerm = true;
            result.HasAnchorTerm = true;
            pos = m.Index + m.Length;
        }
        Words(lower, pos, lower.Length, words, isQuery, correct, result);
        Flush(words, result, isQuery);
        return result;
    }

    private void Words(string text, int start, int end, List<(string Raw, string Stem, bool Corrected)> words, bool isQuery,
        ITypoCorrector? correct, AnalyzedText result)
    {
        var i = start;
        while (i < end)
        {
            while (i < end && !char.IsAsciiLetterOrDigit(text[i])) i++;
            if (i >= end) break;
            var s = i;
            while (i < end && (char.IsAsciiLetterOrDigit(text[i]) || (text[i] is '\'' or '’' && i + 1 < end && char.IsAsciiLetter(text[i + 1])))) i++;
            var raw = text[s..i];
            if (raw.Contains('\'') || raw.Contains('’'))
            {
                raw = raw.Replace('’', '\'');
                if (raw.EndsWith("'s", StringComparison.Ordinal)) raw = raw[..^2];
                raw = raw.Replace("'", "", StringComparison.Ordinal);
            }
            if (isQuery && _rewrites.TryGetValue(raw, out var replacement))
            {
                foreach (var r in replacement) words.Add((r, Stemmer.Stem(r), false));
                continue;
            }
            if (isQuery && correct is not null && !StopWords.Contains(raw) && !correct.IsKnown(raw) && !_trie.Children.ContainsKey(Stemmer.Stem(raw)))
            {
                if (correct.Correct(raw) is { } fixedWord)
                {
                    words.Add((fixedWord, Stemmer.Stem(fixedWord), true));
                    continue;
                }
                if (!raw.All(char.IsAsciiDigit)) result.UnknownWords++;
            }
            words.Add((raw, Stemmer.Stem(raw), false));
        }
    }

    /// <summary>Matches synonym phrases over the words gathered so far, then emits words and canonical terms.</summary>
    private void Flush(List<(string Raw, string Stem, bool Corrected)> words, AnalyzedText result, bool isQuery)
    {
        Span<bool> inPhrase = words.Count <= 256 ? stackalloc bool[words.Count] : new bool[words.Count];
        Span<bool> halved = words.Count <= 256 ? stackalloc bool[words.Count] : new bool[words.Count];
        for (var i = 0; i < words.Count; i++)
        {
            var node = _trie;
            for (var j = i; j < words.Count; j++)
            {
                if (!node.Children.TryGetValue(words[j].Stem, out var next)) break;
                node = next;
                if (node.Domain) result.HasDomainTerm = true;
                if (node.Anchor) result.HasAnchorTerm = true;
                if (node.OutOfScope) result.HasOutOfScopeTerm = true;
                if (node.Emit.Count == 0) continue;
                for (var k = i; k <= j; k++) inPhrase[k] = true;
                foreach (var c in node.Emit)
                {
                    if (j == i && c == words[i].Stem) continue;   // the word itself is emitted below
                    // A one-word synonym of a one-word term ("compliant" for "compliance"): in a question the term
                    // carries the meaning and the word itself counts half, so notes using either word both match.
                    if (isQuery && j == i && c[0] != '=') halved[i] = true;
                    result.Terms.Add(new AnalyzedTerm(c, TermKind.Synonym, words[j].Corrected));
                }
                // "type one vs two", "soc 1 or 2": the second phrase is the first with its last word swapped.
                if (j > i && j + 2 < words.Count && words[j + 1].Raw is "vs" or "versus" or "or" or "and" or "to" or "v")
                {
                    var alt = _trie;
                    for (var k = i; k < j && alt is not null; k++) alt = alt.Children.GetValueOrDefault(words[k].Stem);
                    if (alt?.Children.GetValueOrDefault(words[j + 2].Stem) is { Emit.Count: > 0 } swapped)
                    {
                        inPhrase[j + 2] = true;
                        foreach (var c in swapped.Emit) result.Terms.Add(new AnalyzedTerm(c, TermKind.Synonym));
                    }
                }
            }
        }
        for (var i = 0; i < words.Count; i++)
        {
            var (raw, stem, corrected) = words[i];
            if (StopWords.Contains(raw)) continue;
            result.ContentWords++;
            result.Stems.Add(stem);
            result.Terms.Add(new AnalyzedTerm(stem, TermKind.Word, corrected, Weight: halved[i] ? 0.5f : 1f, InPhrase: inPhrase[i]));
        }
        words.Clear();
    }

    private TrieNode AddPhrase(string phrase)
    {
        var node = _trie;
        foreach (var stem in StemAll(phrase))
        {
            if (!node.Children.TryGetValue(stem, out var next)) node.Children[stem] = next = new TrieNode();
            node = next;
        }
        return node;
    }

    private static void Mark(TrieNode node, HashSet<string> domain, HashSet<string> anchors)
    {
        if (node.Emit.Any(domain.Contains)) node.Domain = true;
        if (node.Emit.Any(anchors.Contains)) node.Domain = node.Anchor = true;
        foreach (var child in node.Children.Values) Mark(child, domain, anchors);
    }

    private static IEnumerable<string> StemAll(string phrase)
    {
        var list = new List<string>();
        var lower = phrase.ToLowerInvariant();
        var i = 0;
        while (i < lower.Length)
        {
            while (i < lower.Length && !char.IsAsciiLetterOrDigit(lower[i])) i++;
            var s = i;
            while (i < lower.Length && char.IsAsciiLetterOrDigit(lower[i])) i++;
            if (i > s) list.Add(Stemmer.Stem(lower[s..i]));
        }
        return list;
    }

    private sealed class TrieNode
    {
        public Dictionary<string, TrieNode> Children { get; } = new(StringComparer.Ordinal);
        public List<string> Emit { get; } = [];
        public bool Domain { get; set; }
        public bool Anchor { get; set; }
        public bool OutOfScope { get; set; }
    }
}

/// <summary>Knows the notes' words and fixes a misspelt question word to one of them.</summary>
public interface ITypoCorrector
{
    bool IsKnown(string word);
    string? Correct(string word);
}
