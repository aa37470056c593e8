using DueDiligenceBot.Core.Knowledge;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace DueDiligenceBot.Benchmarks.Retrieval;

/// <summary>
/// The baseline: Lucene.Net set up as a user of an off-the-shelf search library would — one text field per
/// section (note title, heading and body), StandardAnalyzer, default BM25Similarity, the classic QueryParser
/// over the escaped question. Its "answer" is the top section's text; it abstains only when nothing matches.
/// </summary>
public sealed class LuceneBaseline : IDisposable
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;
    private readonly RAMDirectory _directory = new();
    private readonly StandardAnalyzer _analyzer = new(Version);
    private readonly DirectoryReader _reader;
    private readonly IndexSearcher _searcher;
    private readonly List<(string NoteId, string Text)> _sections = [];

    public LuceneBaseline(IReadOnlyList<Note> notes)
    {
        var config = new IndexWriterConfig(Version, _analyzer) { Similarity = new BM25Similarity() };
        using (var writer = new IndexWriter(_directory, config))
        {
            foreach (var note in notes)
            {
                foreach (var section in note.Sections)
                {
                    var doc = new Document
                    {
                        new StoredField("id", _sections.Count),
                        new TextField("text", $"{note.Title}\n{section.Heading}\n{section.Text}", Field.Store.NO),
                    };
                    _sections.Add((note.Id, section.Text));
                    writer.AddDocument(doc);
                }
            }
            writer.Commit();
        }
        _reader = DirectoryReader.Open(_directory);
        _searcher = new IndexSearcher(_reader) { Similarity = new BM25Similarity() };
    }

    public EvalOutcome Ask(string question)
    {
        var parser = new QueryParser(Version, "text", _analyzer);
        Query query;
        try
        {
            query = parser.Parse(QueryParserBase.Escape(question));
        }
        catch (ParseException)
        {
            return new EvalOutcome([], "", Abstained: true);
        }
        var top = _searcher.Search(query, 10);
        if (top.ScoreDocs.Length == 0) return new EvalOutcome([], "", Abstained: true);
        var ranked = top.ScoreDocs.Select(d => _sections[_searcher.Doc(d.Doc).GetField("id").GetInt32Value()!.Value]).ToList();
        return new EvalOutcome(ranked.Select(s => s.NoteId).ToList(), ranked[0].Text, Abstained: false);
    }

    public void Dispose()
    {
        _reader.Dispose();
        _analyzer.Dispose();
        _directory.Dispose();
    }
}
