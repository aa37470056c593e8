using System.Text;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Knowledge.Retrieval;

namespace DueDiligenceBot.Core.Knowledge;

/// <summary>A retrieved section offered to the answer, numbered as it will be cited.</summary>
public sealed record Passage(int Number, IndexedSection Section)
{
    public Citation ToCitation()
    {
        var source = Section.Note.Sources[0];
        return new Citation(Number, Section.Note.Id, Section.Note.Title, Section.Section.Heading, source.Title, source.Url);
    }
}

/// <summary>
/// Writes the offline answer: two to five sentences picked from the best sections (their first sentences
/// answer their headings), with numbered citations; a crosswalk answer built from the rows; or an honest
/// "not in my notes" with the closest topics and no citations.
/// </summary>
public sealed class AnswerComposer(SectionIndex index)
{
    private const int MaxSentences = 5;
    private const int MaxSectionSentences = 5;
    private const int WordBudget = 150;
    private const int TotalWordBudget = 190;
    // Calibrated on the evaluation set: a runner-up within 45% of the best section's score may add to the answer;
    // sentence order within a section yields to question match only when the match is clearly better.
    private const float SecondSectionShare = 0.45f;
    private const float OtherNoteShare = 0.6f;
    private const float SameNoteBonus = 0.2f;
    private const float PositionPenalty = 0.15f;
    private const float MatchFactor = 1f;
    private const int MaxCrosswalkRows = 6;
    // Between close neighbours, the section whose heading names more of the question leads the answer
    // ("how HIPAA defines a breach" before "exceptions to the breach definition"). Ranking is unchanged.
    private const float LeadShare = 0.6f;
    private const float LeadScoreFactor = 0.1f;
    private const float OtherNoteLeadShare = 0.95f;
    private const float TieShare = 0.97f;
    private static readonly string[] Ordinals = ["First,", "Second,", "Third,", "Fourth,", "Fifth,", "Finally,", "The first ", "The second ", "The third "];

    private static readonly string[] StarterTopics = ["soc2-overview", "hipaa-security-rule-scope", "hitrust-csf-overview"];

    public KnowledgeAnswer Compose(RetrievalResult retrieval)
    {
        if (retrieval.Direction != CrosswalkDirection.None) return ComposeCrosswalk(retrieval);
        if (retrieval.Abstain) return Abstain(retrieval);
        return ComposeFromSections(retrieval);
    }

    /// <summary>The sections an answer may draw on, in the order they would be cited.</summary>
    public IReadOnlyList<Passage> Passages(RetrievalResult retrieval, int max = 4)
    {
        if (retrieval.Hits.Count == 0) return [];
        var topScore = retrieval.Hits[0].Score;
        return retrieval.Hits
            .Take(max * 2)
            .Where((h, i) => i == 0 || retrieval.Direction != CrosswalkDirection.None || h.Score >= topScore * 0.5f)
            .Take(max)
            .Select((h, i) => new Passage(i + 1, h.Section))
            .ToList();
    }

    private KnowledgeAnswer ComposeFromSections(RetrievalResult retrieval)
    {
        var weights = QueryWeights(retrieval.Query);
        var total = Math.Max(weights.Values.Sum(), 1e-6f);
        var hits = LeadFirst(retrieval.Hits, weights, total);
        var top = hits[0].Score;

        // The best section carries the answer: its first sentence answers its heading, and a section is written
        // to read well alone. Long sections keep their first sentence and the ones that match the question best.
        var chosen = new List<(IndexedSection Section, IndexedSentence Sentence)>();

        // The runner-up section, when it scores close, adds its opening (a comparison, a definition, a rule the
        // best section only applies). Among close runners-up, prefer one whose heading names a part of the
        // question the best section does not ("type one vs two": the Type II section after the Type I one).
        var bestTerms = hits[0].Section.Sentences.SelectMany(s => s.Terms).ToHashSet(StringComparer.Ordinal);
        var asksForAdvice = retrieval.Query.Stems.Any(t => t is "ask" or "question" or "check" or "look" or "should" or "request");
        var second = hits.Skip(1)
            .Where(h => h.Section.Id != hits[0].Section.Id && (asksForAdvice || !h.Section.IsAdvice) &&
                        h.Score >= top * (h.Section.Note.Id == hits[0].Section.Note.Id ? SecondSectionShare : OtherNoteShare))
            .OrderByDescending(h => h.Score / top
                + h.Section.HeadingTerms.Where(t => !bestTerms.Contains(t)).Sum(t => weights.GetValueOrDefault(t)) / total
                + (h.Section.Note.Id == hits[0].Section.Note.Id ? SameNoteBonus : 0))
            .FirstOrDefault();

        // A section written as a numbered list ("First, ... Second, ... Finally, ...") is read in order and alone:
        // skipping a middle item or appending another section's sentence would drop part of the list.
        if (IsEnumeration(hits[0].Section))
        {
            second = default;
            TakeInOrder(hits[0].Section, MaxSentences, TotalWordBudget, chosen);
        }
        else
        {
        // A runner-up whose opening only announces what its next sentence lists ("Several requirements have no
        // SOC 2 evidence. They are ...") is worth nothing without that sentence: keep the two together.
        var continued = second.Section is { Sentences.Count: > 1 } runner && OpensWithBackReference(runner.Sentences[1].Text);
        var leadMax = second.Section is null ? MaxSectionSentences : continued ? MaxSectionSentences - 2 : MaxSectionSentences - 1;
        var words = Take(hits[0].Section, leadMax, WordBudget, chosen, 0, weights, total);
        if (continued && chosen.Count <= MaxSentences - 2)
        {
            var pair = second.Section!.Sentences.Take(2).ToList();
            if (words + pair.Sum(x => WordCount(x.Text)) <= TotalWordBudget)
                foreach (var sentence in pair) chosen.Add((second.Section, sentence));
        }
        else if (second.Section is not null && chosen.Count < MaxSentences)
            Take(second.Section, Math.Min(3, MaxSentences - chosen.Count), TotalWordBudget - words, chosen, words, weights, total);
        }

        var passages = new List<Passage>();
        var text = new StringBuilder();
        foreach (var group in chosen.GroupBy(c => c.Section.Id))
        {
            var passage = new Passage(passages.Count + 1, group.First().Section);
            passages.Add(passage);
            foreach (var (_, sentence) in group.OrderBy(g => g.Sentence.Position))
            {
                if (text.Length > 0) text.Append(' ');
                text.Append(sentence.Text);
            }
            text.Append(" [").Append(passage.Number).Append(']');
        }
        return new KnowledgeAnswer(text.ToString(), Abstained: false, passages.Select(p => p.ToCitation()).ToList(), []);
    }

    /// <summary>The hits with the answer's lead section first: among the best note's sections close to the best score, the one whose heading names most of the question.</summary>
    private static IReadOnlyList<SectionHit> LeadFirst(IReadOnlyList<SectionHit> hits, Dictionary<string, float> weights, float total)
    {
        var top = hits[0].Score;
        var leadHeading = HeadingMatch(hits[0].Section, weights);
        var best = 0;
        var bestValue = float.MinValue;
        for (var i = 1; i < hits.Count; i++)
        {
            // Sections of the best note compete when reasonably close; another note's only when nearly level, since
            // its heading may echo the question's words ("HIPAA compliant") while answering a different question.
            // A challenger must match at least as much of the question in its text as well as more in its heading.
            var h = hits[i];
            var share = h.Section.Note.Id == hits[0].Section.Note.Id ? LeadShare : OtherNoteLeadShare;
            if (h.Score < top * share || h.Coverage < hits[0].Coverage) continue;
            var heading = HeadingMatch(h.Section, weights);
            // A level tie inside one note ("whats 164.312(b)" matches every section equally): the note's earlier
            // section, which defines what the later ones compare or apply, leads.
            var earlierTie = heading == leadHeading && best == 0 && h.Section.Note.Id == hits[0].Section.Note.Id &&
                             h.Score >= top * TieShare && h.Section.Section.Index < hits[0].Section.Section.Index;
            if (earlierTie) { best = i; bestValue = heading / total + LeadScoreFactor * h.Score / top; continue; }
            if (heading <= leadHeading) continue;
            var value = heading / total + LeadScoreFactor * h.Score / top;
            if (value > bestValue + 1e-4f) { best = i; bestValue = value; }
        }
        if (best == 0) return hits;
        var list = new List<SectionHit>(hits.Count) { hits[best] };
        for (var i = 0; i < hits.Count; i++) if (i != best) list.Add(hits[i]);
        return list;
    }

    private static bool OpensWithBackReference(string sentence) =>
        sentence.StartsWith("They ", StringComparison.Ordinal) || sentence.StartsWith("These ", StringComparison.Ordinal) ||
        sentence.StartsWith("Those ", StringComparison.Ordinal);

    private static float HeadingMatch(IndexedSection section, Dictionary<string, float> weights)
    {
        var m = 0f;
        foreach (var t in section.HeadingTerms) m += weights.GetValueOrDefault(t);
        return m;
    }

    private static bool IsEnumeration(IndexedSection section) =>
        section.Sentences.Count(s => Ordinals.Any(o => s.Text.StartsWith(o, StringComparison.Ordinal))) >= 2 ||
        (section.Sentences.Count is > 2 and <= MaxSentences && section.Sentences[^1].Text.StartsWith("Finally,", StringComparison.Ordinal));

    /// <summary>Adds a section's sentences in order, up to <paramref name="max"/> and a word budget (the first always).</summary>
    private static void TakeInOrder(IndexedSection section, int max, int budget, List<(IndexedSection, IndexedSentence)> chosen)
    {
        var words = 0;
        foreach (var sentence in section.Sentences.OrderBy(s => s.Position))
        {
            var n = WordCount(sentence.Text);
            if (chosen.Count >= max || (chosen.Count > 0 && words + n > budget)) break;
            chosen.Add((section, sentence));
            words += n;
        }
    }

    /// <summary>Adds up to <paramref name="max"/> sentences of a section: its first, then the best matches, within a word budget.</summary>
    private static int Take(IndexedSection section, int max, int budget, List<(IndexedSection, IndexedSentence)> chosen, int used,
        Dictionary<string, float> weights, float total)
    {
        var taken = 0;
        var words = 0;
        // Sentences in the note's order: they are written to build on each other ("First, ... Second, ..."); a
        // later sentence jumps the queue only when it matches the question much better than those before it.
        var ranked = section.Sentences
            .Select(s => (Sentence: s, Score: (s.Position == 0 ? 10f : 0) - s.Position * PositionPenalty + MatchFactor * Match(s, weights) / total))
            .OrderByDescending(x => x.Score);
        foreach (var (sentence, _) in ranked)
        {
            var n = WordCount(sentence.Text);
            if (taken >= max || (taken >= 1 && words + n > budget)) continue;
            if (taken == 0 && chosen.Count > 0 && n > budget) break;
            // "These criteria ..." read after a skipped list make no sense: a back-reference needs the sentence before it.
            if (sentence.Position > 0 && OpensWithBackReference(sentence.Text) &&
                !chosen.Any(c => c.Item1.Id == section.Id && c.Item2.Position == sentence.Position - 1)) continue;
            chosen.Add((section, sentence));
            taken++;
            words += n;
        }
        return used + words;
    }

    private static float Match(IndexedSentence s, Dictionary<string, float> weights)
    {
        var m = 0f;
        foreach (var (term, w) in weights) if (s.Terms.Contains(term)) m += w;
        return m;
    }

    private static float Gain(IndexedSentence s, Dictionary<string, float> weights, HashSet<string> covered)
    {
        var m = 0f;
        foreach (var (term, w) in weights) if (s.Terms.Contains(term) && !covered.Contains(term)) m += w;
        return m;
    }

    private KnowledgeAnswer ComposeCrosswalk(RetrievalResult retrieval)
    {
        var rows = retrieval.Rows;
        var key = retrieval.CrosswalkKey!.Value;
        var passages = retrieval.Hits.Take(2).Select((h, i) => new Passage(i + 1, h.Section)).ToList();
        var refs = string.Concat(passages.Select(p => $" [{p.Number}]"));
        var sb = new StringBuilder();
        if (retrieval.Direction == CrosswalkDirection.HipaaToSoc2)
        {
            var parts = rows.Take(MaxCrosswalkRows).Select(r => r.HipaaOnly
                ? $"§ {r.Hipaa} {r.Title} ({r.Kind}) has no SOC 2 counterpart: it is HIPAA-only"
                : $"§ {r.Hipaa} {r.Title} ({r.Kind}) maps to {JoinAnd(r.Criteria.Select(c => c.Canonical))}");
            sb.Append("Under our crosswalk, ").Append(string.Join("; ", parts));
            if (rows.Count > MaxCrosswalkRows) sb.Append($"; and {rows.Count - MaxCrosswalkRows} more rows in the crosswalk");
            sb.Append('.');
            var comment = rows.Select(r => r.Comment).FirstOrDefault(c => c.Length > 0);
            if (comment is not null && rows.Count <= 3) sb.Append(" Crosswalk comment: ").Append(comment.TrimEnd('.')).Append('.');
        }
        else
        {
            var parts = rows.Take(MaxCrosswalkRows).Select(r => $"§ {r.Hipaa} {r.Title} ({r.Kind})").ToList();
            var noun = rows.Count == 1 ? "HIPAA requirement" : "HIPAA requirements";
            sb.Append($"Under our crosswalk, {key} is mapped from {rows.Count} {noun}: ").Append(string.Join("; ", parts));
            if (rows.Count > MaxCrosswalkRows) sb.Append($"; and {rows.Count - MaxCrosswalkRows} more");
            sb.Append('.');
        }
        sb.Append(" These mappings are our judgement, not an official AICPA or HHS mapping, so read the SOC 2 tests themselves.").Append(refs);
        return new KnowledgeAnswer(sb.ToString(), Abstained: false, passages.Select(p => p.ToCitation()).ToList(), []);
    }

    private KnowledgeAnswer Abstain(RetrievalResult retrieval)
    {
        var suggestions = retrieval.Hits.Select(h => h.Section.Note).DistinctBy(n => n.Id).Take(3).Select(n => n.Title).ToList();
        var outside = !retrieval.Query.HasDomainTerm;
        if (suggestions.Count == 0 || (outside && retrieval.Query.HasOutOfScopeTerm))
            suggestions = StarterTopics.Select(id => index.Sections.FirstOrDefault(s => s.Note.Id == id)?.Note.Title).OfType<string>().ToList();
        var text = new StringBuilder(outside
            ? "That's not in my notes: they cover SOC 2, HIPAA and HITRUST for vendor security reviews, so I won't guess."
            : "That's not in my notes, and I'd rather say so than guess.");
        if (suggestions.Count > 0)
            text.Append(" The closest topics I have: ").Append(string.Join("; ", suggestions)).Append('.');
        return new KnowledgeAnswer(text.ToString(), Abstained: true, [], suggestions);
    }

    private Dictionary<string, float> QueryWeights(AnalyzedText query)
    {
        var weights = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var t in query.Terms)
        {
            var w = index.Idf(t.Term) * t.Weight * (t.Corrected ? 0.8f : 1f);
            if (!weights.TryGetValue(t.Term, out var old) || old < w) weights[t.Term] = w;
        }
        return weights;
    }

    private static int WordCount(string s)
    {
        var n = 0;
        var inWord = false;
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c)) inWord = false;
            else if (!inWord) { inWord = true; n++; }
        }
        return n;
    }

    private static string JoinAnd(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count switch
        {
            0 => "",
            1 => list[0],
            _ => string.Join(", ", list.Take(list.Count - 1)) + " and " + list[^1],
        };
    }

}
