using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DueDiligenceBot.Core.Knowledge;

/// <summary>Reads <c>knowledge/notes/*.md</c> (YAML front matter + <c>##</c> sections) and checks each note is complete.</summary>
public static class NoteLoader
{
    public static IReadOnlyList<Note> LoadFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new InvalidDataException($"notes folder not found: {folder}");
        var notes = Directory.EnumerateFiles(folder, "*.md").Order(StringComparer.Ordinal).Select(LoadFile).ToList();
        var dup = notes.GroupBy(n => n.Id).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new InvalidDataException($"note id '{dup.Key}' is used by more than one file");
        return notes;
    }

    public static Note LoadFile(string path) => Parse(File.ReadAllText(path), path);

    public static Note Parse(string text, string path)
    {
        var name = Path.GetFileName(path);
        text = text.Replace("\r\n", "\n");
        if (!text.StartsWith("---\n", StringComparison.Ordinal))
            throw new InvalidDataException($"{name}: a note starts with YAML front matter between '---' lines");
        var end = text.IndexOf("\n---", 4, StringComparison.Ordinal);
        if (end < 0) throw new InvalidDataException($"{name}: the front matter is not closed with '---'");
        var yaml = text[4..end];
        var body = text[(text.IndexOf('\n', end + 1) is var nl and >= 0 ? nl + 1 : text.Length)..];

        FrontMatter fm;
        try
        {
            fm = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build()
                .Deserialize<FrontMatter>(yaml) ?? new FrontMatter();
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{name}: front matter line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}", e);
        }

        var expectedId = Path.GetFileNameWithoutExtension(path);
        var errors = new List<string>();
        if (fm.Id != expectedId) errors.Add($"'id' is '{fm.Id}' but the file is named {expectedId}.md");
        if (string.IsNullOrWhiteSpace(fm.Title)) errors.Add("'title' is required");
        if (fm.Frameworks is not { Count: > 0 }) errors.Add("'frameworks' needs at least one of soc2, hipaa, hitrust, vendor-review");
        var sources = (fm.Sources ?? []).Select(s => new NoteSource(s.Title?.Trim() ?? "", s.Url?.Trim() ?? "")).ToList();
        if (sources.Count == 0) errors.Add("'sources' needs at least one public source");
        if (sources.Any(s => s.Title.Length == 0 || !Uri.TryCreate(s.Url, UriKind.Absolute, out var u) || u.Scheme != "https"))
            errors.Add("every source needs a 'title' and an https 'url'");
        if (!DateOnly.TryParseExact(fm.Reviewed ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var reviewed))
            errors.Add("'reviewed' must be a date written YYYY-MM-DD");

        var sections = SplitSections(expectedId, body);
        if (sections.Count == 0) errors.Add("the body needs at least one '## ' section");
        if (errors.Count > 0) throw new InvalidDataException($"{name}: {string.Join("; ", errors)}");

        return new Note(expectedId, fm.Title!.Trim(), fm.Frameworks!, fm.Controls ?? [], sources, reviewed, sections, path);
    }

    private static List<NoteSection> SplitSections(string noteId, string body)
    {
        var sections = new List<NoteSection>();
        string? heading = null;
        var buffer = new StringBuilder();
        void Flush()
        {
            if (heading is not null && buffer.ToString().Trim() is { Length: > 0 } t)
                sections.Add(new NoteSection(noteId, sections.Count, heading, t));
            buffer.Clear();
        }
        foreach (var line in body.Split('\n'))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                heading = line[3..].Trim();
            }
            else if (heading is not null)
            {
                buffer.AppendLine(line);
            }
        }
        Flush();
        return sections;
    }

    private sealed class FrontMatter
    {
        public string? Id { get; set; }
        public string? Title { get; set; }
        public List<string>? Frameworks { get; set; }
        public List<string>? Controls { get; set; }
        public List<SourceDto>? Sources { get; set; }
        public string? Reviewed { get; set; }
    }

    private sealed class SourceDto
    {
        public string? Title { get; set; }
        public string? Url { get; set; }
    }
}
