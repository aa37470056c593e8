using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace DueDiligenceBot.Core.Knowledge.Retrieval;

/// <summary><c>knowledge/synonyms.yaml</c>: synonym groups, shorthand rewrites, domain and out-of-scope terms.</summary>
public sealed class Synonyms
{
    public static readonly Synonyms Empty = new([], new Dictionary<string, string>(), [], [], []);

    public Synonyms(IReadOnlyList<IReadOnlyList<string>> groups, IReadOnlyDictionary<string, string> rewrites,
        IReadOnlyList<string> anchors, IReadOnlyList<string> domain, IReadOnlyList<string> outOfScope)
    {
        Groups = groups;
        Rewrites = rewrites;
        Anchors = anchors;
        Domain = domain;
        OutOfScope = outOfScope;
    }

    /// <summary>Each group's first entry is its canonical term.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Groups { get; }
    public IReadOnlyDictionary<string, string> Rewrites { get; }
    /// <summary>Names of our frameworks and their own artefacts; they also count as domain terms.</summary>
    public IReadOnlyList<string> Anchors { get; }
    public IReadOnlyList<string> Domain { get; }
    public IReadOnlyList<string> OutOfScope { get; }

    public static Synonyms Load(string path)
    {
        var name = Path.GetFileName(path);
        if (!File.Exists(path)) throw new InvalidDataException($"{name}: file not found at {path}");
        Dto dto;
        try
        {
            dto = new DeserializerBuilder().Build().Deserialize<Dto>(File.ReadAllText(path)) ?? new Dto();
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{name}: line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}", e);
        }
        var errors = new List<string>();
        var groups = new List<IReadOnlyList<string>>();
        foreach (var (g, i) in (dto.groups ?? []).Select((g, i) => (g, i)))
        {
            var entries = (g ?? []).Select(e => e?.Trim().ToLowerInvariant() ?? "").ToList();
            if (entries.Count < 2 || entries.Any(e => e.Length == 0))
                errors.Add($"group {i + 1} needs at least two non-empty entries");
            else
                groups.Add(entries);
        }
        var rewrites = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (from, to) in dto.rewrites ?? [])
        {
            if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to) || from.Trim().Contains(' '))
                errors.Add($"rewrite '{from}' must map one word to some words");
            else
                rewrites[from.Trim().ToLowerInvariant()] = to.Trim().ToLowerInvariant();
        }
        if (errors.Count > 0) throw new InvalidDataException($"{name}: {string.Join("; ", errors)}");
        return new Synonyms(groups, rewrites,
            (dto.anchors ?? []).Select(d => d.Trim().ToLowerInvariant()).Where(d => d.Length > 0).ToList(),
            (dto.domain ?? []).Select(d => d.Trim().ToLowerInvariant()).Where(d => d.Length > 0).ToList(),
            (dto.out_of_scope ?? []).Select(d => d.Trim().ToLowerInvariant()).Where(d => d.Length > 0).ToList());
    }

#pragma warning disable IDE1006 // YAML keys
    private sealed class Dto
    {
        public List<List<string>>? groups { get; set; }
        public Dictionary<string, string>? rewrites { get; set; }
        public List<string>? anchors { get; set; }
        public List<string>? domain { get; set; }
        public List<string>? out_of_scope { get; set; }
    }
#pragma warning restore IDE1006
}
