using YamlDotNet.Serialization;

namespace DueDiligenceBot.Benchmarks.Retrieval;

/// <summary>One evaluation question: the notes that answer it and the facts its answer must contain, or out of scope.</summary>
public sealed record EvalQuestion(string File, string Question, IReadOnlyList<string> Notes, IReadOnlyList<string> Facts, bool OutOfScope);

/// <summary>What a retriever under test did with one question.</summary>
public sealed record EvalOutcome(IReadOnlyList<string> RankedNoteIds, string Answer, bool Abstained);

/// <summary>Quality over the evaluation set.</summary>
public sealed record EvalScores(
    int Questions,
    int InScope,
    int OutOfScope,
    double RecallAt1,
    double RecallAt3,
    double Mrr,
    double KeyFactHitRate,
    double AbstentionPrecision,
    double AbstentionRecall,
    IReadOnlyList<string> Misses);

/// <summary>
/// Reads <c>tests/DueDiligenceBot.Benchmarks/Eval/*.yaml</c> (a list of <c>{q, notes, facts}</c> or
/// <c>{q, out_of_scope: true}</c>) and scores a retriever on it. Shared by the benchmark and the quality test.
/// </summary>
public static class EvalSet
{
    public static string Folder(string repoRoot) => Path.Combine(repoRoot, "tests", "DueDiligenceBot.Benchmarks", "Eval");

    public static IReadOnlyList<EvalQuestion> Load(string folder)
    {
        var deserializer = new DeserializerBuilder().IgnoreUnmatchedProperties().Build();
        var questions = new List<EvalQuestion>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var items = deserializer.Deserialize<List<Item>>(File.ReadAllText(file)) ?? [];
            foreach (var item in items)
            {
                if (string.IsNullOrWhiteSpace(item.q)) throw new InvalidDataException($"{Path.GetFileName(file)}: an item has no 'q'");
                questions.Add(new EvalQuestion(Path.GetFileName(file), item.q, item.notes ?? [], item.facts ?? [], item.out_of_scope));
            }
        }
        return questions;
    }

    public static EvalScores Score(IReadOnlyList<EvalQuestion> questions, IReadOnlyList<EvalOutcome> outcomes)
    {
        int inScope = 0, oos = 0, r1 = 0, r3 = 0, facts = 0, tp = 0, fp = 0, fn = 0;
        double mrr = 0;
        var misses = new List<string>();
        for (var i = 0; i < questions.Count; i++)
        {
            var q = questions[i];
            var o = outcomes[i];
            if (q.OutOfScope)
            {
                oos++;
                if (o.Abstained) tp++;
                else { fn++; misses.Add($"answered out-of-scope: {q.Question}"); }
                continue;
            }
            inScope++;
            if (o.Abstained) { fp++; misses.Add($"abstained: {q.Question}"); }
            var rank = -1;
            for (var k = 0; k < Math.Min(10, o.RankedNoteIds.Count); k++)
            {
                if (q.Notes.Contains(o.RankedNoteIds[k])) { rank = k; break; }
            }
            if (rank == 0) r1++;
            if (rank is >= 0 and < 3) r3++;
            else misses.Add($"not in top 3: {q.Question} (wanted {string.Join(", ", q.Notes)}; got {string.Join(", ", o.RankedNoteIds.Take(3))})");
            if (rank >= 0) mrr += 1.0 / (rank + 1);
            var missing = o.Abstained ? q.Facts.ToList() : q.Facts.Where(f => !HasFact(o.Answer, f)).ToList();
            if (missing.Count == 0) facts++;
            else if (!o.Abstained) misses.Add($"facts missing [{string.Join(" | ", missing)}]: {q.Question}");
        }
        return new EvalScores(questions.Count, inScope, oos,
            Ratio(r1, inScope), Ratio(r3, inScope), inScope == 0 ? 0 : Math.Round(mrr / inScope, 3), Ratio(facts, inScope),
            Ratio(tp, tp + fp), Ratio(tp, tp + fn), misses);
    }

    /// <summary>A fact is a phrase, or alternatives separated by '|'; matched case-insensitively.</summary>
    public static bool HasFact(string answer, string fact) =>
        fact.Split('|').Any(alt => answer.Contains(alt.Trim(), StringComparison.OrdinalIgnoreCase));

    private static double Ratio(int a, int b) => b == 0 ? 1 : Math.Round((double)a / b, 3);

#pragma warning disable IDE1006 // YAML keys
    private sealed class Item
    {
        public string? q { get; set; }
        public List<string>? notes { get; set; }
        public List<string>? facts { get; set; }
        public bool out_of_scope { get; set; }
    }
#pragma warning restore IDE1006
}
