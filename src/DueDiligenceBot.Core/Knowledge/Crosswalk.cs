using System.Text;
using DueDiligenceBot.Core.Knowledge.Retrieval;

namespace DueDiligenceBot.Core.Knowledge;

/// <summary>One row of <c>knowledge/crosswalk.csv</c>: a HIPAA standard or implementation specification and its SOC 2 criteria.</summary>
public sealed record CrosswalkRow(int Line, ControlId Hipaa, string Title, string Kind, IReadOnlyList<ControlId> Criteria, string Comment)
{
    /// <summary>True when SOC 2 has no counterpart.</summary>
    public bool HipaaOnly => Criteria.Count == 0;
}

/// <summary>The HIPAA Security Rule ↔ SOC 2 crosswalk as rows, with exact lookups in both directions.</summary>
public sealed class Crosswalk
{
    public static readonly string[] Kinds = ["standard", "required", "addressable"];
    private const string Header = "hipaa_citation,hipaa_title,kind,soc2_criteria,comment";

    public Crosswalk(IReadOnlyList<CrosswalkRow> rows) => Rows = rows;

    public IReadOnlyList<CrosswalkRow> Rows { get; }

    /// <summary>Rows for a HIPAA id: the rows under it (164.312(e) → (e)(1), (e)(2)(i), (e)(2)(ii)), else the nearest row above it.</summary>
    public IReadOnlyList<CrosswalkRow> ForHipaa(ControlId id)
    {
        var under = Rows.Where(r => id.Covers(r.Hipaa)).ToList();
        if (under.Count > 0) return under;
        var above = Rows.Where(r => r.Hipaa.Covers(id)).OrderByDescending(r => r.Hipaa.Canonical.Length).Take(1).ToList();
        if (above.Count > 0) return above;
        // A standard written without its "(1)"/"(i)" (164.308(a)(7) for 164.308(a)(7)(i)) is covered above; one written
        // with "(1)" where the rule has none (164.310(b)(1)) falls back to its parent.
        return [];
    }

    /// <summary>Rows that list a criterion (CC6.1), or any criterion of a series (CC6).</summary>
    public IReadOnlyList<CrosswalkRow> ForCriterion(ControlId criterion) =>
        Rows.Where(r => r.Criteria.Any(c => criterion.Covers(c))).ToList();

    public static Crosswalk Load(string path)
    {
        var name = Path.GetFileName(path);
        if (!File.Exists(path)) throw new InvalidDataException($"{name}: file not found at {path}");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != Header)
            throw new InvalidDataException($"{name}: line 1 must be the header '{Header}'");
        var rows = new List<CrosswalkRow>();
        var errors = new List<string>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var fields = SplitCsv(lines[i]);
            var line = i + 1;
            if (fields.Count != 5)
            {
                errors.Add($"line {line}: {fields.Count} fields, expected 5");
                continue;
            }
            var hipaa = ControlIds.Parse(fields[0]);
            if (hipaa is not { Family: ControlFamily.Cfr }) errors.Add($"line {line}: '{fields[0]}' is not a 45 CFR citation");
            if (fields[1].Trim().Length == 0) errors.Add($"line {line}: hipaa_title is empty");
            var kind = fields[2].Trim();
            if (!Kinds.Contains(kind)) errors.Add($"line {line}: kind '{kind}' is not one of {string.Join(", ", Kinds)}");
            var criteria = new List<ControlId>();
            foreach (var c in fields[3].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (ControlIds.Parse(c) is { Family: ControlFamily.Soc2 } id && id.Canonical.Contains('.')) criteria.Add(id);
                else errors.Add($"line {line}: '{c}' is not a SOC 2 criterion such as CC6.1");
            }
            if (hipaa is { } h) rows.Add(new CrosswalkRow(line, h, fields[1].Trim(), kind, criteria, fields[4].Trim()));
        }
        if (errors.Count > 0) throw new InvalidDataException($"{name}: {string.Join("; ", errors)}");
        return new Crosswalk(rows);
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(c);
        }
        fields.Add(sb.ToString());
        return fields;
    }
}
