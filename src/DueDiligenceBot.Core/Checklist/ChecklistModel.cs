namespace DueDiligenceBot.Core.Checklist;

public enum QuestionType { YesNo, Choice, MultiChoice, Date, Number, Text }

public sealed record ChoiceOption(string Value, string Label);

public sealed record Question(
    string Key,
    string SectionId,
    int Number,
    string Prompt,
    QuestionType Type,
    IReadOnlyList<ChoiceOption> Options,
    IReadOnlyList<Condition> When,
    string? Unit,
    int? Min,
    int? Max,
    string Why,
    IReadOnlyList<string> Notes);

public sealed record Section(string Id, string Title, IReadOnlyList<Question> Questions);

/// <summary>The vendor checklist: sections of questions in the order they are asked.</summary>
public sealed class ChecklistDefinition
{
    private readonly Dictionary<string, Question> _byKey;

    public ChecklistDefinition(IReadOnlyList<Section> sections)
    {
        Sections = sections;
        Questions = sections.SelectMany(s => s.Questions).ToList();
        _byKey = Questions.ToDictionary(q => q.Key, StringComparer.Ordinal);
    }

    public IReadOnlyList<Section> Sections { get; }
    public IReadOnlyList<Question> Questions { get; }

    public Question? Find(string key) => _byKey.GetValueOrDefault(key);

    public Section SectionOf(Question q) => Sections.First(s => s.Id == q.SectionId);

    /// <summary>Finds a question by key ("handles_phi") or by its number ("3", "#3", "q3").</summary>
    public Question? FindByKeyOrNumber(string text)
    {
        var t = text.Trim().TrimStart('#').Trim();
        if (t.StartsWith('q') && int.TryParse(t[1..], out var qn)) t = qn.ToString();
        if (int.TryParse(t, out var n)) return n >= 1 && n <= Questions.Count ? Questions[n - 1] : null;
        return Find(t.ToLowerInvariant().Replace(' ', '_'));
    }

    public bool IsAsked(Question q, AnswerSet answers) => q.When.All(c => c.Holds(answers));
}
