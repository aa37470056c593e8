using System.Diagnostics;
using DueDiligenceBot.Core.Knowledge;

namespace DueDiligenceBot.Benchmarks.Retrieval;

/// <summary>
/// Runs every evaluation question through our retriever and answer composer, and through the Lucene.Net
/// baseline over the same sections, and reports quality and per-question latency side by side.
/// </summary>
public static class RetrievalBenchmark
{
    private const int TimedRounds = 5;

    public static Task<object> RunAsync()
    {
        var root = RepoRoot();
        var files = new KnowledgeFiles(Path.Combine(root, "knowledge"));
        var kb = new NotesKnowledgeBase(files);
        var questions = EvalSet.Load(EvalSet.Folder(root));
        using var lucene = new LuceneBaseline(files.Notes);

        var ours = Measure(questions, q => Ours(kb, q));
        var baseline = Measure(questions, lucene.Ask);
        foreach (var miss in ours.Scores.Misses) Console.Error.WriteLine("ours: " + miss);
        if (Environment.GetEnvironmentVariable("DDB_EXPLAIN") == "1") Explain(kb, questions);

        return Task.FromResult<object>(new
        {
            questions = questions.Count,
            inScope = ours.Scores.InScope,
            outOfScope = ours.Scores.OutOfScope,
            sections = kb.Retriever.Index.Sections.Count,
            ours = Report(ours),
            lucene = Report(baseline),
        });
    }

    /// <summary>Prints, for each question that misses a bar, what was found and answered (set DDB_EXPLAIN=1).</summary>
    private static void Explain(NotesKnowledgeBase kb, IReadOnlyList<EvalQuestion> questions)
    {
        foreach (var q in questions)
        {
            var r = kb.Retriever.Retrieve(q.Question);
            var a = kb.Composer.Compose(r);
            var ok = q.OutOfScope ? a.Abstained : !a.Abstained && q.Facts.All(f => EvalSet.HasFact(a.Text, f)) && r.Hits.Take(3).Any(h => q.Notes.Contains(h.Section.Note.Id));
            if (ok) continue;
            Console.Error.WriteLine($"\n=== {q.Question}   [{(q.OutOfScope ? "OUT OF SCOPE" : string.Join(",", q.Notes) + " :: " + string.Join(" / ", q.Facts))}]");
            Console.Error.WriteLine($"    domain={r.Query.HasDomainTerm} oos={r.Query.HasOutOfScopeTerm} unknown={r.Query.UnknownWords} terms={string.Join(" ", r.Query.Terms.Select(t => t.Term + (t.Corrected ? "*" : "")))}");
            foreach (var h in r.Hits.Take(5))
                Console.Error.WriteLine($"    {h.Score,6:F2} cov={h.Coverage:F2} {h.Section.Note.Id} # {h.Section.Section.Heading}");
            Console.Error.WriteLine($"    -> {a.Text}");
        }
    }

    public static EvalOutcome Ours(NotesKnowledgeBase kb, string question)
    {
        var retrieval = kb.Retriever.Retrieve(question);
        var answer = kb.Composer.Compose(retrieval);
        return new EvalOutcome(retrieval.Hits.Select(h => h.Section.Note.Id).ToList(), answer.Text, answer.Abstained);
    }

    private static (EvalScores Scores, double P50, double P99) Measure(IReadOnlyList<EvalQuestion> questions, Func<string, EvalOutcome> ask)
    {
        var outcomes = questions.Select(q => ask(q.Question)).ToList();   // also the warm-up
        var timings = new List<double>(questions.Count * TimedRounds);
        for (var round = 0; round < TimedRounds; round++)
        {
            foreach (var q in questions)
            {
                var start = Stopwatch.GetTimestamp();
                ask(q.Question);
                timings.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        timings.Sort();
        return (EvalSet.Score(questions, outcomes), Percentile(timings, 0.50), Percentile(timings, 0.99));
    }

    private static object Report((EvalScores Scores, double P50, double P99) m) => new
    {
        recallAt1 = m.Scores.RecallAt1,
        recallAt3 = m.Scores.RecallAt3,
        mrr = m.Scores.Mrr,
        keyFactHitRate = m.Scores.KeyFactHitRate,
        abstentionPrecision = m.Scores.AbstentionPrecision,
        abstentionRecall = m.Scores.AbstentionRecall,
        latencyMsP50 = Math.Round(m.P50, 3),
        latencyMsP99 = Math.Round(m.P99, 3),
    };

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    public static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "DueDiligenceBot.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root (DueDiligenceBot.sln) not found");
    }
}
