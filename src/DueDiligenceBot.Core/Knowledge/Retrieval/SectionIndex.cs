using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace DueDiligenceBot.Core.Knowledge.Retrieval;

/// <summary>A sentence of a section, with its terms, so answers can pick the sentences that fit the question.</summary>
public sealed record IndexedSentence(string Text, int Position, FrozenSet<string> Terms);

/// <summary>A note section as the index holds it.</summary>
public sealed record IndexedSection(int Id, Note Note, NoteSection Section, IReadOnlyList<IndexedSentence> Sentences, IReadOnlyList<ControlId> NoteControls)
{
    /// <summary>The heading's distinct terms, for the heading-match preference.</summary>
    public string[] HeadingTerms { get; init; } = [];
    /// <summary>A "What to ask..." section: advice for a review rather than an answer to a factual question.</summary>
    public bool IsAdvice { get; init; }
    /// <summary>Which of SOC 2, HIPAA and HITRUST the note title and heading name.</summary>
    public bool NamesSoc2 { get; init; }
    public bool NamesHipaa { get; init; }
    public bool NamesHitrust { get; init; }
}

/// <summary>A section found for a question, with its score and the share of the question it matched.</summary>
public readonly record struct SectionHit(IndexedSection Section, float Score, float Coverage);

/// <summary>The outcome of one search: hits best first (one per note first, then the rest), and the question as analysed.</summary>
public sealed record SearchResult(AnalyzedText Query, IReadOnlyList<SectionHit> Hits, float QueryWeight);

/// <summary>Field weights and BM25 parameters. The defaults were calibrated on the evaluation set.</summary>
public sealed record RetrievalTuning
{
    public float K1 { get; init; } = 1.2f;
    public float BodyB { get; init; } = 0.75f;
    public float HeadingWeight { get; init; } = 4f;
    public float TitleWeight { get; init; } = 1.5f;
    /// <summary>Added per query control id that a note lists in its <c>controls</c> exactly.</summary>
    public float ControlExactBoost { get; init; } = 6.0f;
    /// <summary>Added when the question's id is a parent or child of an id the note lists.</summary>
    public float ControlFamilyBoost { get; init; } = 3.0f;
    /// <summary>
    /// Share of the control boost for a note outside the id's framework (a HIPAA note listing CC6.1 as a mapping),
    /// and for notes spanning both frameworks (the crosswalk), which list nearly every id.
    /// </summary>
    public float ControlOtherFrameworkShare { get; init; } = 0.3f;
    /// <summary>A preference (a share of the score) for a note's first section, which defines the topic.</summary>
    public float FirstSectionBoost { get; init; } = 0f;
    /// <summary>A preference (a share of the score) for a section whose heading the question matches entirely.</summary>
    public float HeadingMatchBoost { get; init; } = 0.5f;
    /// <summary>A preference (a share of the score) for a section with one sentence matching the whole question.</summary>
    public float SentenceMatchBoost { get; init; } = 1f;
    /// <summary>Share of the score kept by "What to ask..." sections when the question does not ask what to ask.</summary>
    public float AdvicePenalty { get; init; } = 0.8f;
    /// <summary>Share of the score kept by a section about HITRUST for a SOC 2 question, and the reverse.</summary>
    public float OtherFrameworkPenalty { get; init; } = 0.7f;
    /// <summary>Share kept by a section naming the asked framework and another one the question does not name.</summary>
    public float MixedFrameworkPenalty { get; init; } = 0.9f;
    /// <summary>Weight of a word that was corrected as a typo.</summary>
    public float CorrectedWeight { get; init; } = 0.8f;
}

/// <summary>
/// An in-memory BM25F index over note sections (title, heading and body as weighted fields), with control-id
/// boosts from the notes' <c>controls</c> lists and typo correction against its own vocabulary. Built once at
/// start; searching allocates little and takes well under a millisecond.
/// </summary>
public sealed class SectionIndex : ITypoCorrector
{
    private readonly TextAnalyzer _analyzer;
    private readonly RetrievalTuning _tuning;
    private readonly IndexedSection[] _sections;
    private readonly FrozenDictionary<string, Posting[]> _postings;
    private readonly FrozenDictionary<string, float> _idf;
    private readonly float _maxIdf;
    private readonly FrozenDictionary<string, int> _rawWords;
    private readonly string[][] _rawByLength;
    private readonly ConcurrentDictionary<string, string?> _corrections = new(StringComparer.Ordinal);

    private const int RerankDepth = 24;

    private readonly record struct Posting(int Section, float Saturated);

    public SectionIndex(IReadOnlyList<Note> notes, TextAnalyzer analyzer, RetrievalTuning? tuning = null)
    {
        _analyzer = analyzer;
        _tuning = tuning ?? new RetrievalTuning();
        var sections = new List<IndexedSection>();
        var fieldTf = new List<(Dictionary<string, int> Title, Dictionary<string, int> Heading, Dictionary<string, int> Body, int BodyLength)>();
        var rawWords = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var note in notes)
        {
            var controls = note.Controls.Select(ControlIds.Parse).Where(c => c is not null).Select(c => c!.Value).ToList();
            var titleTf = Count(analyzer.Analyze(note.Title));
            foreach (var section in note.Sections)
            {
                var headingText = analyzer.Analyze(section.Heading);
                var headingTf = Count(headingText);
                var body = analyzer.Analyze(section.Text);
                var bodyTf = Count(body);
                var sentences = SentenceSplitter.Split(section.Text)
                    .Select((s, i) => new IndexedSentence(s, i, analyzer.Analyze(s).Terms.Select(t => t.Term).ToFrozenSet(StringComparer.Ordinal)))
                    .ToList();
                sections.Add(new IndexedSection(sections.Count, note, section, sentences, controls) {
                    HeadingTerms = [.. headingText.Terms.Where(t => t.Weight >= 1).Select(t => t.Term).Distinct()],
                    IsAdvice = IsAdvice(section.Heading),
                    NamesSoc2 = titleTf.ContainsKey("soc2") || headingTf.ContainsKey("soc2"),
                    NamesHipaa = titleTf.ContainsKey("hipaa") || headingTf.ContainsKey("hipaa") || controls.Any(c => c.Family == ControlFamily.Cfr),
                    NamesHitrust = titleTf.ContainsKey("hitrust") || headingTf.ContainsKey("hitrust"),
                });
                fieldTf.Add((titleTf, headingTf, bodyTf, body.Terms.Count));
                foreach (var w in RawWords(note.Title + " " + section.Heading + " " + section.Text))
                    rawWords[w] = rawWords.GetValueOrDefault(w) + 1;
            }
        }
        _sections = [.. sections];
        _rawWords = rawWords.ToFrozenDictionary(StringComparer.Ordinal);
        _rawByLength = Enumerable.Range(0, 40).Select(len => rawWords.Keys.Where(w => w.Length == len).ToArray()).ToArray();

        // BM25F: per field length-normalised term frequency, weighted and summed, then saturated once.
        var avgBody = fieldTf.Count == 0 ? 1f : (float)fieldTf.Average(f => Math.Max(1, f.BodyLength));
        var n = _sections.Length;
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var perTerm = new Dictionary<string, List<(int Section, float Tf)>>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var (title, heading, body, bodyLength) = fieldTf[i];
            var norm = 1 - _tuning.BodyB + _tuning.BodyB * Math.Max(1, bodyLength) / avgBody;
            foreach (var term in title.Keys.Concat(heading.Keys).Concat(body.Keys).Distinct())
            {
                var tf = title.GetValueOrDefault(term) * _tuning.TitleWeight
                    + heading.GetValueOrDefault(term) * _tuning.HeadingWeight
                    + body.GetValueOrDefault(term) / norm;
                if (!perTerm.TryGetValue(term, out var list)) perTerm[term] = list = [];
                list.Add((i, tf));
                df[term] = df.GetValueOrDefault(term) + 1;
            }
        }
        _idf = df.ToFrozenDictionary(kv => kv.Key, kv => (float)Math.Log(1 + (n - kv.Value + 0.5) / (kv.Value + 0.5)), StringComparer.Ordinal);
        _maxIdf = (float)Math.Log(1 + (n + 0.5) / 0.5);
        _postings = perTerm.ToFrozenDictionary(
            kv => kv.Key,
            kv => kv.Value.Select(p => new Posting(p.Section, p.Tf * (_tuning.K1 + 1) / (p.Tf + _tuning.K1))).ToArray(),
            StringComparer.Ordinal);
    }

    public IReadOnlyList<IndexedSection> Sections => _sections;

    public TextAnalyzer Analyzer => _analyzer;

    /// <summary>The inverse document frequency of a term (the rarest possible for a term the notes never use).</summary>
    public float Idf(string term) => _idf.TryGetValue(term, out var v) ? v : _maxIdf;

    public float MaxIdf => _maxIdf;

    public AnalyzedText AnalyzeQuestion(string question) => _analyzer.Analyze(question, isQuery: true, this);

    public SearchResult Search(string question, int top = 8) => Search(AnalyzeQuestion(question), top);

    public SearchResult Search(AnalyzedText query, int top = 8)
    {
        var scores = new float[_sections.Length];
        var matched = new float[_sections.Length];
        // Each distinct term counts once, at the highest weight it was given.
        var weights = new Dictionary<string, float>(query.Terms.Count, StringComparer.Ordinal);
        foreach (var t in query.Terms)
        {
            // A word the notes never use that a synonym phrase stands for ("mandatory" → required) adds nothing.
            if (t.InPhrase && !_postings.ContainsKey(t.Term)) continue;
            var w = t.Weight * (t.Corrected ? _tuning.CorrectedWeight : 1f);
            if (!weights.TryGetValue(t.Term, out var old) || old < w) weights[t.Term] = w;
        }
        var queryWeight = query.UnknownWords * _maxIdf;
        foreach (var (term, w) in weights)
        {
            var idf = Idf(term);
            queryWeight += idf * w;
            if (!_postings.TryGetValue(term, out var postings)) continue;
            foreach (var p in postings)
            {
                scores[p.Section] += w * idf * p.Saturated;
                matched[p.Section] += w * idf;
            }
        }

        if (query.Controls.Count > 0)
        {
            foreach (var s in _sections)
            {
                var boost = ControlBoost(query.Controls, s.Note, s.NoteControls);
                if (boost <= 0) continue;
                scores[s.Id] += boost;
                // The note explains the id the question names: that part of the question is matched.
                foreach (var c in query.Controls)
                    if (!_postings.ContainsKey(c.Term) || Array.FindIndex(_postings[c.Term], p => p.Section == s.Id) < 0)
                        if (s.NoteControls.Any(n => n.Covers(c) || c.Covers(n))) matched[s.Id] += Idf(c.Term) * weights.GetValueOrDefault(c.Term, 1f);
            }
        }

        var asksForAdvice = query.Stems.Any(t => t is "ask" or "question" or "check" or "look" or "should" or "request");
        var asksSoc2 = weights.ContainsKey("soc2");
        var asksHitrust = weights.ContainsKey("hitrust");
        var asksHipaa = weights.ContainsKey("hipaa") || query.Controls.Any(c => c.Family == ControlFamily.Cfr);
        var any = false;
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] <= 0) continue;
            any = true;
            var section = _sections[i];
            if (section.Section.Index == 0) scores[i] *= 1 + _tuning.FirstSectionBoost;
            // "is soc 2 a certification?" is best answered by the section headed "Is SOC 2 a certification?".
            if (section.HeadingTerms.Length > 0)
            {
                float all = 0, hit = 0;
                foreach (var t in section.HeadingTerms)
                {
                    var idf = Idf(t);
                    all += idf;
                    if (weights.ContainsKey(t)) hit += idf;
                }
                var share = all <= 0 ? 0 : hit / all;
                scores[i] *= 1 + _tuning.HeadingMatchBoost * share * share;
            }
            if (section.IsAdvice && !asksForAdvice) scores[i] *= _tuning.AdvicePenalty;
            // A question naming SOC 2, HIPAA or HITRUST prefers sections about what it names: a SOC 2 question is
            // not best answered by a HITRUST section, nor "tell me about hipaa" by one about HITRUST.
            if (asksSoc2 || asksHipaa || asksHitrust)
            {
                var foreign = (section.NamesSoc2 && !asksSoc2) || (section.NamesHitrust && !asksHitrust);
                var own = (section.NamesSoc2 && asksSoc2) || (section.NamesHipaa && asksHipaa) || (section.NamesHitrust && asksHitrust);
                if (foreign) scores[i] *= own ? _tuning.MixedFrameworkPenalty : _tuning.OtherFrameworkPenalty;
            }
        }
        if (!any) return new SearchResult(query, [], queryWeight);

        var order = Enumerable.Range(0, scores.Length).Where(i => scores[i] > 0).OrderByDescending(i => scores[i]).ThenBy(i => i).ToList();

        // Proximity, cheaply: the leading sections gain when one sentence holds much of the question.
        var inVocabulary = 0f;
        foreach (var (term, w) in weights) if (_postings.ContainsKey(term)) inVocabulary += Idf(term) * w;
        if (inVocabulary > 0)
        {
            foreach (var i in order.Take(RerankDepth))
            {
                var best = 0f;
                foreach (var sentence in _sections[i].Sentences)
                {
                    var m = 0f;
                    foreach (var (term, w) in weights) if (sentence.Terms.Contains(term)) m += Idf(term) * w;
                    if (m > best) best = m;
                }
                var share = Math.Min(1f, best / inVocabulary);
                scores[i] *= 1 + _tuning.SentenceMatchBoost * share * share;
            }
            order = order.OrderByDescending(i => scores[i]).ThenBy(i => i).ToList();
        }
        var hits = new List<SectionHit>(top);
        var seenNotes = new HashSet<string>(StringComparer.Ordinal);
        // Best section of each note first, so the top few hits span different notes; then the runners-up.
        foreach (var i in order)
        {
            if (hits.Count >= top) break;
            if (seenNotes.Add(_sections[i].Note.Id)) hits.Add(Hit(i));
        }
        foreach (var i in order)
        {
            if (hits.Count >= top * 2) break;
            if (!hits.Any(h => h.Section.Id == i)) hits.Add(Hit(i));
        }
        return new SearchResult(query, hits, queryWeight);

        SectionHit Hit(int i) => new(_sections[i], scores[i], queryWeight <= 0 ? 0 : Math.Min(1f, matched[i] / queryWeight));
    }

    private float ControlBoost(List<ControlId> queryControls, Note note, IReadOnlyList<ControlId> noteControls)
    {
        if (noteControls.Count == 0) return 0;
        var total = 0f;
        foreach (var q in queryControls)
        {
            var best = 0f;
            foreach (var c in noteControls)
            {
                if (c.Family != q.Family) continue;
                if (string.Equals(c.Canonical, q.Canonical, StringComparison.OrdinalIgnoreCase)) best = Math.Max(best, _tuning.ControlExactBoost);
                else if (q.Covers(c) || c.Covers(q)) best = Math.Max(best, _tuning.ControlFamilyBoost);
            }
            var own = q.Family == ControlFamily.Cfr ? "hipaa" : "soc2";
            var other = q.Family == ControlFamily.Cfr ? "soc2" : "hipaa";
            if (!note.Frameworks.Contains(own) || note.Frameworks.Contains(other)) best *= _tuning.ControlOtherFrameworkShare;
            total += best;
        }
        return total;
    }

    // ----- typo correction ------------------------------------------------------------------------

    public bool IsKnown(string word) => _rawWords.ContainsKey(word) || _postings.ContainsKey(Stemmer.Stem(word));

    public string? Correct(string word)
    {
        if (word.Length < 5 || word.Length >= 40 || word.Any(c => !char.IsAsciiLetterLower(c))) return null;
        if (_corrections.TryGetValue(word, out var cached)) return cached;
        var max = word.Length >= 8 ? 2 : 1;
        string? best = null;
        int bestDistance = int.MaxValue, bestCount = 0;
        for (var len = Math.Max(1, word.Length - max); len <= Math.Min(_rawByLength.Length - 1, word.Length + max); len++)
        {
            foreach (var candidate in _rawByLength[len])
            {
                if (candidate[0] != word[0]) continue;
                var d = Distance(word, candidate, Math.Min(max, bestDistance));
                if (d > max) continue;
                var count = _rawWords[candidate];
                if (d < bestDistance || (d == bestDistance && count > bestCount))
                {
                    best = candidate;
                    bestDistance = d;
                    bestCount = count;
                }
            }
        }
        if (_corrections.Count < 10_000) _corrections[word] = best;
        return best;
    }

    /// <summary>Optimal-string-alignment distance, giving up (returning max + 1) once it must exceed <paramref name="max"/>.</summary>
    internal static int Distance(string a, string b, int max)
    {
        if (Math.Abs(a.Length - b.Length) > max) return max + 1;
        Span<int> prev2 = stackalloc int[b.Length + 1];
        Span<int> prev = stackalloc int[b.Length + 1];
        Span<int> cur = stackalloc int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            var rowMin = cur[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var v = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = Math.Min(v, prev2[j - 2] + 1);
                cur[j] = v;
                if (v < rowMin) rowMin = v;
            }
            if (rowMin > max) return max + 1;
            var t = prev2;
            prev2 = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.Length];
    }

    private static bool IsAdvice(string heading) =>
        heading.StartsWith("What to ask", StringComparison.OrdinalIgnoreCase) ||
        heading.StartsWith("Questions about", StringComparison.OrdinalIgnoreCase) ||
        heading.StartsWith("Scope questions", StringComparison.OrdinalIgnoreCase);

    private static Dictionary<string, int> Count(AnalyzedText text)
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in text.Terms) d[t.Term] = d.GetValueOrDefault(t.Term) + 1;
        return d;
    }

    private static IEnumerable<string> RawWords(string text)
    {
        var lower = text.ToLowerInvariant();
        var i = 0;
        while (i < lower.Length)
        {
            while (i < lower.Length && !char.IsAsciiLetter(lower[i])) i++;
            var s = i;
            while (i < lower.Length && char.IsAsciiLetter(lower[i])) i++;
            if (i > s) yield return lower[s..i];
        }
    }
}
