using System.Text;

namespace DueDiligenceBot.Core.Memo;

/// <summary>One row of knowledge/crosswalk.csv: a HIPAA Security Rule standard or specification and the SOC 2 criteria that evidence it.</summary>
public sealed record CrosswalkRow(string HipaaCitation, string HipaaTitle, string Kind, IReadOnlyList<string> Soc2Criteria, string Comment);

/// <summary>The HIPAA ↔ SOC 2 crosswalk, read from <c>knowledge/crosswalk.csv</c>.</summary>
public sealed class CrosswalkTable(IReadOnlyList<CrosswalkRow> rows)
{
    public const string Header = "hipaa_citation,hipaa_title,kind,soc2_criteria,comment";

    public IReadOnlyList<CrosswalkRow> Rows { get; } = rows;

    public static CrosswalkTable Empty { get; } = new([]);

    public static CrosswalkTable Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"crosswalk file not found: {path}");
        return Parse(File.ReadAllText(path), Path.GetFileName(path));
    }

    public static CrosswalkTable Parse(string csv, string sourceName = "crosswalk.csv")
    {
        var lines = ReadRecords(csv.Replace("\r\n", "\n")).ToList();
        if (lines.Count == 0 || string.Join(",", lines[0].Fields) != Header)
            throw new InvalidDataException($"{sourceName}: the first line must be '{Header}'");
        var rows = new List<CrosswalkRow>();
        var errors = new List<string>();
        foreach (var (line, fields) in lines.Skip(1))
        {
            if (fields.Count == 1 && fields[0].Length == 0) continue;
            if (fields.Count != 5) { errors.Add($"line {line}: {fields.Count} fields, expected 5"); continue; }
            if (fields[0].Trim().Length == 0) { errors.Add($"line {line}: hipaa_citation is empty"); continue; }
            if (fields[2] is not ("standard" or "required" or "addressable"))
                errors.Add($"line {line}: kind is '{fields[2]}'; accepted: standard, required, addressable");
            var criteria = fields[3].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            rows.Add(new CrosswalkRow(fields[0].Trim(), fields[1].Trim(), fields[2].Trim(), criteria, fields[4].Trim()));
        }
        if (errors.Count > 0) throw new InvalidDataException($"{sourceName} is invalid:\n- " + string.Join("\n- ", errors));
        return new CrosswalkTable(rows);
    }

    /// <summary>The Trust Services Criteria category a criterion id belongs to (CC → security, A → availability, ...).</summary>
    public static string CategoryOf(string criterion) => criterion switch
    {
        _ when criterion.StartsWith("CC", StringComparison.Ordinal) => "security",
        _ when criterion.StartsWith("A", StringComparison.Ordinal) => "availability",
        _ when criterion.StartsWith("PI", StringComparison.Ordinal) => "processing_integrity",
        _ when criterion.StartsWith("C", StringComparison.Ordinal) => "confidentiality",
        _ when criterion.StartsWith("P", StringComparison.Ordinal) => "privacy",
        _ => "unknown",
    };

    // A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks.
    private static IEnumerable<(int Line, List<string> Fields)> ReadRecords(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var line = 1;
        var start = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') inQuotes = false;
                else { if (c == '\n') line++; field.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"': inQuotes = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); break;
                case '\n':
                    fields.Add(field.ToString()); field.Clear();
                    yield return (start, fields);
                    fields = [];
                    line++;
                    start = line;
                    break;
                default: field.Append(c); break;
            }
        }
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return (start, fields);
        }
    }
}
