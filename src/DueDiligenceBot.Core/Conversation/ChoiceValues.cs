namespace DueDiligenceBot.Core.Conversation;

/// <summary>
/// The string a button carries back. Answers name their question (<c>@handles_phi=yes</c>) so a click on
/// an old card can never answer the question that happens to be current; commands are plain words.
/// </summary>
public static class ChoiceValues
{
    public static string Answer(string questionKey, string value) => $"@{questionKey}={value}";

    public static bool TryParseAnswer(string action, out string questionKey, out string value)
    {
        questionKey = value = "";
        if (action.Length < 3 || action[0] != '@') return false;
        var eq = action.IndexOf('=');
        if (eq < 2) return false;
        questionKey = action[1..eq];
        value = action[(eq + 1)..];
        return true;
    }
}
