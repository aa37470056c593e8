using System.Text.Json;

namespace DueDiligenceBot.Core.Checklist;

public enum ConditionOperator { Equal, NotEqual, In }

/// <summary>
/// One clause of a question's <c>when</c> list. A clause over an unanswered key never holds; over a
/// <c>null</c> ("unknown") answer it compares like the risk rules: <c>== v</c> and <c>in</c> do not hold,
/// <c>!= v</c> holds.
/// </summary>
public sealed record Condition(string Key, ConditionOperator Operator, IReadOnlyList<string> Values)
{
    public bool Holds(AnswerSet answers)
    {
        if (!answers.TryGet(Key, out var value)) return false;
        var actual = Scalar(value);
        return Operator switch
        {
            ConditionOperator.Equal => actual is not null && actual == Values[0],
            ConditionOperator.NotEqual => actual is null || actual != Values[0],
            ConditionOperator.In => actual is not null && Values.Contains(actual),
            _ => false,
        };
    }

    private static string? Scalar(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        _ => null,
    };

    /// <summary>Parses <c>key == value</c>, <c>key != value</c> or <c>key in [a, b]</c>.</summary>
    public static Condition Parse(string text)
    {
        var t = text.Trim();
        int idx;
        if ((idx = t.IndexOf("!=", StringComparison.Ordinal)) > 0)
            return new(t[..idx].Trim(), ConditionOperator.NotEqual, [Unquote(t[(idx + 2)..])]);
        if ((idx = t.IndexOf("==", StringComparison.Ordinal)) > 0)
            return new(t[..idx].Trim(), ConditionOperator.Equal, [Unquote(t[(idx + 2)..])]);
        idx = t.IndexOf(" in ", StringComparison.Ordinal);
        if (idx > 0)
        {
            var list = t[(idx + 4)..].Trim();
            if (list.StartsWith('[') && list.EndsWith(']'))
            {
                var values = list[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(Unquote).ToList();
                if (values.Count > 0) return new(t[..idx].Trim(), ConditionOperator.In, values);
            }
        }
        throw new FormatException($"'{text}' is not a condition; write 'key == value', 'key != value' or 'key in [a, b]'");
    }

    private static string Unquote(string s) => s.Trim().Trim('"', '\'');

    public override string ToString() => Operator switch
    {
        ConditionOperator.Equal => $"{Key} == {Values[0]}",
        ConditionOperator.NotEqual => $"{Key} != {Values[0]}",
        _ => $"{Key} in [{string.Join(", ", Values)}]",
    };
}
