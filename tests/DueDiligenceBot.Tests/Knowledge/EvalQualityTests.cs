using DueDiligenceBot.Benchmarks.Retrieval;
using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Knowledge;

/// <summary>The repository's evaluation set through the offline retriever: the quality bars of issue 3 (latency is the benchmark's job).</summary>
public class EvalQualityTests(KnowledgeFixture fixture) : IClassFixture<KnowledgeFixture>
{
    private const double KeyFactFloor = 0.95;

    [Fact]
    public void Offline_answers_meet_the_quality_bars_on_the_evaluation_set()
    {
        var questions = EvalSet.Load(EvalSet.Folder(TestPaths.RepoRoot));
        Assert.True(questions.Count(q => !q.OutOfScope) > 0 && questions.Any(q => q.OutOfScope), "the evaluation set has in-scope and out-of-scope questions");
        var outcomes = questions.Select(q =>
        {
            var retrieval = fixture.KnowledgeBase.Retriever.Retrieve(q.Question);
            var answer = fixture.KnowledgeBase.Composer.Compose(retrieval);
            return new EvalOutcome(retrieval.Hits.Select(h => h.Section.Note.Id).ToList(), answer.Text, answer.Abstained);
        }).ToList();
        var s = EvalSet.Score(questions, outcomes);
        var report = $"recall@3 {s.RecallAt3}, key facts {s.KeyFactHitRate}, abstention P {s.AbstentionPrecision} R {s.AbstentionRecall}\n" + string.Join("\n", s.Misses);
        Assert.True(s.RecallAt3 >= 0.95, report);
        // Issue 3 asks for 0.95; the offline composer reaches 0.91 today (see the benchmark's misses).
        // This floor catches regressions until the gap is closed; raise it as the answers improve.
        Assert.True(s.KeyFactHitRate >= KeyFactFloor, report);
        Assert.True(s.AbstentionPrecision >= 0.95, report);
        Assert.True(s.AbstentionRecall >= 0.95, report);
    }

    [Fact]
    public void Every_evaluation_question_cites_notes_that_exist()
    {
        var ids = fixture.Files.Notes.Select(n => n.Id).ToHashSet();
        var questions = EvalSet.Load(EvalSet.Folder(TestPaths.RepoRoot));
        Assert.All(questions.Where(q => !q.OutOfScope), q =>
        {
            Assert.NotEmpty(q.Notes);
            Assert.All(q.Notes, id => Assert.True(ids.Contains(id), $"{q.File}: '{q.Question}' cites unknown note {id}"));
        });
    }
}
