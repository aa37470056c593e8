using DueDiligenceBot.Core.Checklist;

namespace DueDiligenceBot.Tests.Support;

/// <summary>A plausible typed answer for any checklist question, so tests and benchmarks can walk a whole review.</summary>
public static class PlausibleAnswer
{
    public static string For(QuestionType type) => type switch
    {
        QuestionType.YesNo => "yes",
        QuestionType.Choice => "1",
        QuestionType.MultiChoice => "1, 2",
        QuestionType.Date => "2026-06-30",
        QuestionType.Number => "12",
        _ => "none",
    };

    /// <summary>The same, for the web chat's JSON type names (<c>yesno</c>, <c>multichoice</c>, …).</summary>
    public static string For(string? jsonType) =>
        For(Enum.TryParse<QuestionType>(jsonType, ignoreCase: true, out var t) ? t : QuestionType.Text);
}
