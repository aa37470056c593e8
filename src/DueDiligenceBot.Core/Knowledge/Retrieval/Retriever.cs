using System.Text.RegularExpressions;

namespace DueDiligenceBot.Core.Knowledge.Retrieval;

public enum CrosswalkDirection
{
    None,
    /// <summary>A HIPAA citation → the SOC 2 criteria it maps to.</summary>
    HipaaToSoc2,
    /// <summary>A SOC 2 criterion → the HIPAA standards mapped to it.</summary>
    Soc2ToHipaa,
}

/// <summary>When to say "not in my notes" rather than answer. Calibrated on the evaluation set.</summary>
public sealed record AbstentionPolicy
{
    /// <summary>The best section must match at least this share of a question naming SOC 2, HIPAA, HITRUST or one of their artefacts.</summary>
    public float MinCoverageWithAnchor { get; init; } = 0.2f;
    /// <summary>The best section must match at least this share of a question with only softer domain terms.</summary>
    public float MinCoverage { get; init; } = 0.35f;
    /// <summary>A question naming nothing of SOC 2 / HIPAA / HITRUST must be matched this closely.</summary>
    public float MinCoverageWithoutDomainTerm { get; init; } = 0.7f;
}

/// <summary>What the retriever found for a question: ranked sections, crosswalk rows, and whether to abstain.</summary>
public sealed record RetrievalResult(
    string Question,
    AnalyzedText Query,
    IReadOnlyList<SectionHit> Hits,
    bool Abstain,
    CrosswalkDirection Direction = CrosswalkDirection.None,
    ControlId? CrosswalkKey = null,
    IReadOnlyList<CrosswalkRow>? CrosswalkRows = null)
{
    public IReadOnlyList<CrosswalkRow> Rows => CrosswalkRows ?? [];
}

/// <summary>
/// Finds what the notes say about a question: an exact crosswalk lookup when the question asks how a HIPAA
/// citation and a SOC 2 criterion map, otherwise a ranked search over the note sections, and in both cases
/// whether the evidence is strong enough to answer.
/// </summary>
public sealed partial class Retriever
{
    private readonly SectionIndex _index;
    private readonly Crosswalk _crosswalk;
    private readonly AbstentionPolicy _policy;

    public Retriever(SectionIndex index, Crosswalk crosswalk, AbstentionPolicy? policy = null)
    {
        _index = index;
        _crosswalk = crosswalk;
        _policy = policy ?? new AbstentionPolicy();
    }

    public SectionIndex Index => _index;

    [GeneratedRegex(@"\b(maps?|mapped|mapping|mappings|crosswalk\w*|correspond\w*|covers?|covered|align\w*|equivalent|relates?|related|line[sd]? up|tie[sd]? (?:to|back)|counterparts?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MappingCue();

    [GeneratedRegex(@"\b(soc ?2|soc ?ii|tsc|trust services?|criteri(?:a|on)|common criteria)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Soc2Cue();

    [GeneratedRegex(@"\b(hipaa|hippa|security rule|164|cfr|safeguards?|standards?|implementation spec\w*)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HipaaCue();

    public RetrievalResult Retrieve(string question, int top = 8)
    {
        var query = _index.AnalyzeQuestion(question);
        var search = _index.Search(query, top);
        var hits = search.Hits;

        if (CrosswalkLookup(question, query) is { } lookup)
        {
            // The cited sections lead the ranking: the crosswalk note first, then the note explaining the key.
            var lead = CrosswalkSections(lookup.Direction, lookup.Key, query, hits);
            var ranked = lead.Concat(hits.Where(h => lead.All(l => l.Section.Id != h.Section.Id))).ToList();
            return new RetrievalResult(question, query, ranked, Abstain: false, lookup.Direction, lookup.Key, lookup.Rows);
        }

        return new RetrievalResult(question, query, hits, ShouldAbstain(query, hits));
    }

    private bool ShouldAbstain(AnalyzedText query, IReadOnlyList<SectionHit> hits)
    {
        if (hits.Count == 0) return true;
        if (query.HasOutOfScopeTerm && !query.HasAnchorTerm) return true;
        var coverage = hits[0].Coverage;
        if (coverage < (query.HasAnchorTerm ? _policy.MinCoverageWithAnchor : _policy.MinCoverage)) return true;
        if (!query.HasDomainTerm && coverage < _policy.MinCoverageWithoutDomainTerm) return true;
        return false;
    }

    private (CrosswalkDirection Direction, ControlId Key, IReadOnlyList<CrosswalkRow> Rows)? CrosswalkLookup(string question, AnalyzedText query)
    {
        if (!MappingCue().IsMatch(question) && !question.Contains("which", StringComparison.OrdinalIgnoreCase)) return null;
        var cfr = query.Controls.FirstOrDefault(c => c.Family == ControlFamily.Cfr && c.Canonical.StartsWith("164.3", StringComparison.Ordinal) && c.Canonical.Length > 7);
        var criterion = query.Controls.FirstOrDefault(c => c.Family == ControlFamily.Soc2 && c.Canonical.Contains('.'));

        if (cfr != default && (criterion != default || Soc2Cue().IsMatch(question)))
        {
            var rows = _crosswalk.ForHipaa(cfr);
            if (rows.Count > 0) return (CrosswalkDirection.HipaaToSoc2, cfr, rows);
        }
        if (criterion != default && cfr == default && HipaaCue().IsMatch(question))
        {
            var rows = _crosswalk.ForCriterion(criterion);
            if (rows.Count > 0) return (CrosswalkDirection.Soc2ToHipaa, criterion, rows);
        }
        if (cfr == default && criterion == default && Soc2Cue().IsMatch(question) && MappingCue().IsMatch(question))
        {
            // "which TSC does transmission security map to": a HIPAA title named in full.
            var stems = query.Stems.ToHashSet(StringComparer.Ordinal);
            var byTitle = _crosswalk.Rows
                .Select(r => (Row: r, Words: TitleStems(r.Title)))
                .Where(x => x.Words.Count >= 2 && x.Words.All(stems.Contains))
                .OrderByDescending(x => x.Words.Count)
                .ThenBy(x => x.Row.Line)
                .FirstOrDefault();
            if (byTitle.Row is { } row)
            {
                var key = StandardGroup(row.Hipaa);
                var rows = _crosswalk.ForHipaa(key);
                return (CrosswalkDirection.HipaaToSoc2, key, rows.Count > 0 ? rows : [row]);
            }
        }
        return null;
    }

    private List<string> TitleStems(string title) =>
        _index.Analyzer.Analyze(title).Stems;

    /// <summary>The group a standard heads: 164.312(e)(1) → 164.312(e), 164.308(a)(7)(i) → 164.308(a)(7); others unchanged.</summary>
    private static ControlId StandardGroup(ControlId id)
    {
        var c = id.Canonical;
        if (c.EndsWith("(1)", StringComparison.Ordinal) || c.EndsWith("(i)", StringComparison.Ordinal)) return id with { Canonical = c[..^3] };
        return id;
    }

    private List<SectionHit> CrosswalkSections(CrosswalkDirection direction, ControlId key, AnalyzedText query, IReadOnlyList<SectionHit> hits)
    {
        var lead = new List<SectionHit>();
        var overview = _index.Sections.Where(s => s.Note.Id == "crosswalk-overview").ToList();
        if (overview.Count > 0)
        {
            var preferred = direction == CrosswalkDirection.Soc2ToHipaa
                ? overview.FirstOrDefault(s => s.Section.Heading.Contains("criterion covers", StringComparison.OrdinalIgnoreCase))
                : null;
            lead.Add(new SectionHit(preferred ?? BestOf(overview, query, hits), 1, 1));
        }
        // The note that explains the key: the most specific one listing it in its controls.
        var explaining = _index.Sections
            .Where(s => s.Note.Id != "crosswalk-overview" && s.NoteControls.Any(c => c.Covers(key) || key.Covers(c)))
            .GroupBy(s => s.Note.Id)
            .OrderByDescending(g => direction == CrosswalkDirection.Soc2ToHipaa ? g.First().Note.Frameworks.Contains("soc2") && !g.First().Note.Frameworks.Contains("hipaa") : g.First().Note.Frameworks.Contains("hipaa"))
            .ThenByDescending(g => g.First().NoteControls.Any(c => c.Canonical.Equals(key.Canonical, StringComparison.OrdinalIgnoreCase)))
            .ThenBy(g => g.First().NoteControls.Count)
            .FirstOrDefault();
        if (explaining is not null)
        {
            var sections = explaining.ToList();
            var mapping = direction == CrosswalkDirection.HipaaToSoc2
                ? sections.FirstOrDefault(s => s.Section.Heading.StartsWith("SOC 2 criteria", StringComparison.OrdinalIgnoreCase))
                : sections.FirstOrDefault(s => s.Sentences.Any(x => x.Terms.Contains(key.Term)));
            lead.Add(new SectionHit(mapping ?? BestOf(sections, query, hits), 1, 1));
        }
        return lead;
    }

    private static IndexedSection BestOf(List<IndexedSection> candidates, AnalyzedText query, IReadOnlyList<SectionHit> hits)
    {
        foreach (var h in hits)
            if (candidates.Any(c => c.Id == h.Section.Id)) return h.Section;
        var terms = query.Terms.Select(t => t.Term).ToHashSet(StringComparer.Ordinal);
        return candidates.OrderByDescending(c => c.Sentences.Sum(s => s.Terms.Count(terms.Contains))).First();
    }
}
