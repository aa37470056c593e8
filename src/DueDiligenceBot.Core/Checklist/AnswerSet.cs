using System.Globalization;
using System.Text.Json;

namespace DueDiligenceBot.Core.Checklist;

/// <summary>
/// The current answers of a review by key. A missing key is "not answered yet"; a JSON <c>null</c> is
/// "asked, and the answer is unknown" (see shared/spec/checklist-keys.md).
/// </summary>
public sealed class AnswerSet
{
    private readonly Dictionary<string, JsonElement> _values;

    public AnswerSet(IEnumerable<KeyValuePair<string, JsonElement>> values) =>
        _values = values.ToDictionary(kv => kv.Key, kv => kv.Value.Clone(), StringComparer.Ordinal);

    public static AnswerSet Empty { get; } = new([]);

    public IReadOnlyDictionary<string, JsonElement> Values => _values;

    public bool Has(string key) => _values.ContainsKey(key);

    public bool TryGet(string key, out JsonElement value) => _values.TryGetValue(key, out value);

    public bool IsNull(string key) => _values.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.Null;

    public bool? Bool(string key) => _values.TryGetValue(key, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
        ? v.GetBoolean() : null;

    public string? Text(string key) => _values.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public int? Int(string key) => _values.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    public DateOnly? Date(string key) =>
        Text(key) is { } s && DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    public IReadOnlyList<string>? List(string key) =>
        _values.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : null;

    public AnswerSet With(string key, JsonElement value)
    {
        var copy = new Dictionary<string, JsonElement>(_values) { [key] = value };
        return new AnswerSet(copy);
    }
}
