using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DueDiligenceBot.Core.Checklist;

/// <summary>Reads and validates <c>knowledge/checklist.yaml</c>; every problem names the question and field.</summary>
public static class ChecklistLoader
{
    public static ChecklistDefinition Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"checklist file not found: {path}");
        return Parse(File.ReadAllText(path), path);
    }

    public static ChecklistDefinition Parse(string yaml, string sourceName = "checklist.yaml")
    {
        FileDto dto;
        try
        {
            dto = new DeserializerBuilder()
                .WithNamingConvention(UnderscoredNamingConvention.Instance)
                .Build()
                .Deserialize<FileDto>(yaml) ?? new FileDto();
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{sourceName}: line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}", e);
        }

        var errors = new List<string>();
        var sections = new List<Section>();
        var seen = new Dictionary<string, Question>(StringComparer.Ordinal);
        var number = 0;
        foreach (var s in dto.Sections ?? [])
        {
            if (string.IsNullOrWhiteSpace(s.Id) || string.IsNullOrWhiteSpace(s.Title))
            {
                errors.Add("a section lacks 'id' or 'title'");
                continue;
            }
            var questions = new List<Question>();
            foreach (var q in s.Questions ?? [])
            {
                var where = $"question '{q.Key ?? "(no key)"}' in section '{s.Id}'";
                if (string.IsNullOrWhiteSpace(q.Key)) { errors.Add($"{where}: 'key' is required"); continue; }
                if (seen.ContainsKey(q.Key)) { errors.Add($"{where}: the key is used twice"); continue; }
                if (string.IsNullOrWhiteSpace(q.Prompt)) errors.Add($"{where}: 'prompt' is required");
                if (string.IsNullOrWhiteSpace(q.Why)) errors.Add($"{where}: 'why' is required");
                if (!TryType(q.Type, out var type))
                {
                    errors.Add($"{where}: 'type' is '{q.Type}'; accepted: yesno, choice, multichoice, date, number, text");
                    continue;
                }
                var options = (q.Options ?? []).Select(o => new ChoiceOption(o.Value ?? "", o.Label ?? o.Value ?? "")).ToList();
                if (type is QuestionType.Choice or QuestionType.MultiChoice)
                {
                    if (options.Count < 2) errors.Add($"{where}: a {q.Type} question needs at least two 'options'");
                    if (options.Any(o => o.Value.Length == 0)) errors.Add($"{where}: every option needs a 'value'");
                    if (options.Select(o => o.Value).Distinct().Count() != options.Count) errors.Add($"{where}: option values repeat");
                }
                else if (options.Count > 0) errors.Add($"{where}: only choice and multichoice questions take 'options'");

                var conditions = new List<Condition>();
                foreach (var w in q.When ?? [])
                {
                    try
                    {
                        var c = Condition.Parse(w);
                        if (!seen.TryGetValue(c.Key, out var dependsOn))
                            errors.Add($"{where}: condition '{w}' refers to '{c.Key}', which is not an earlier question");
                        else if (!ValuesFit(dependsOn, c.Values))
                            errors.Add($"{where}: condition '{w}' compares '{c.Key}' with a value it cannot have");
                        conditions.Add(c);
                    }
                    catch (FormatException e) { errors.Add($"{where}: {e.Message}"); }
                }
                var question = new Question(q.Key, s.Id, ++number, q.Prompt?.Trim() ?? "", type, options, conditions,
                    q.Unit, q.Min, q.Max, q.Why?.Trim() ?? "", q.Notes ?? []);
                seen[q.Key] = question;
                questions.Add(question);
            }
            sections.Add(new Section(s.Id, s.Title, questions));
        }
        if (number == 0) errors.Add("the checklist has no questions");
        if (errors.Count > 0)
            throw new InvalidDataException($"{sourceName} is invalid:\n- " + string.Join("\n- ", errors));
        return new ChecklistDefinition(sections);
    }

    private static bool ValuesFit(Question q, IReadOnlyList<string> values) => q.Type switch
    {
        QuestionType.YesNo => values.All(v => v is "true" or "false"),
        QuestionType.Choice or QuestionType.MultiChoice => values.All(v => q.Options.Any(o => o.Value == v)),
        _ => true,
    };

    private static bool TryType(string? text, out QuestionType type)
    {
        switch (text)
        {
            case "yesno": type = QuestionType.YesNo; return true;
            case "choice": type = QuestionType.Choice; return true;
            case "multichoice": type = QuestionType.MultiChoice; return true;
            case "date": type = QuestionType.Date; return true;
            case "number": type = QuestionType.Number; return true;
            case "text": type = QuestionType.Text; return true;
            default: type = default; return false;
        }
    }

    private sealed class FileDto
    {
        public List<SectionDto>? Sections { get; set; }
    }

    private sealed class SectionDto
    {
        public string? Id { get; set; }
        public string? Title { get; set; }
        public List<QuestionDto>? Questions { get; set; }
    }

    private sealed class QuestionDto
    {
        public string? Key { get; set; }
        public string? Prompt { get; set; }
        public string? Type { get; set; }
        public List<OptionDto>? Options { get; set; }
        public List<string>? When { get; set; }
        public string? Unit { get; set; }
        public int? Min { get; set; }
        public int? Max { get; set; }
        public string? Why { get; set; }
        public List<string>? Notes { get; set; }
    }

    private sealed class OptionDto
    {
        public string? Value { get; set; }
        public string? Label { get; set; }
    }
}
