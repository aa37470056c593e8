using System.Text.RegularExpressions;

namespace DueDiligenceBot.Core.Conversation;

public enum CommandKind { Help, Start, Resume, Status, Skip, Back, Change, Pause, Vendors, Why, Memo }

public sealed record Command(CommandKind Kind, string? Argument = null);

/// <summary>Recognises the chat commands; anything else is an answer or a question.</summary>
public static partial class CommandParser
{
    public static Command? Parse(string text)
    {
        var t = Regex.Replace(text.Trim(), @"\s+", " ");
        // Slack and Teams users often prefix commands with a slash or the bot's command name.
        t = t.TrimStart('/').Trim();
        var lower = t.ToLowerInvariant().TrimEnd('.', '!');
        switch (lower)
        {
            case "help" or "?" or "hi" or "hello" or "hey" or "menu" or "commands" or "what can you do" or "what can you do?":
                return new(CommandKind.Help);
            case "status" or "progress" or "where are we" or "where are we?":
                return new(CommandKind.Status);
            case "skip" or "skip it" or "skip this" or "next" or "pass":
                return new(CommandKind.Skip);
            case "back" or "go back" or "previous" or "prev" or "undo":
                return new(CommandKind.Back);
            case "pause" or "stop" or "later" or "pause review" or "take a break":
                return new(CommandKind.Pause);
            case "vendors" or "list vendors" or "list" or "reviews":
                return new(CommandKind.Vendors);
            case "resume" or "continue" or "resume review" or "continue review":
                return new(CommandKind.Resume);
        }
        if (WhyPattern().IsMatch(lower)) return new(CommandKind.Why);

        var m = WithArgument().Match(t);
        if (!m.Success) return null;
        var verb = m.Groups["verb"].Value.ToLowerInvariant();
        var arg = m.Groups["arg"].Value.Trim().Trim('"', '\'', '“', '”').Trim();
        if (arg.Length == 0) return null;
        return verb switch
        {
            "start review" or "start a review of" or "start a review for" or "review" or "new review" or "start review of" or "start review for" or "start" => new(CommandKind.Start, arg),
            "resume" or "continue" or "resume review" or "resume review of" or "continue review" => new(CommandKind.Resume, arg),
            "change" or "edit" or "correct" or "fix" or "go to" or "goto" => new(CommandKind.Change, arg),
            "memo" or "risk memo" or "memo for" or "show memo" => new(CommandKind.Memo, arg),
            _ => null,
        };
    }

    [GeneratedRegex(@"^(why|why\?|why do we ask( this| that)?\??|why does (this|that|it) matter\??|why is (this|that) (asked|needed|important)\??|why ask( this| that)?\??|why do you ask( this| that)?\??|why (is|does) this question matter\??)$")]
    private static partial Regex WhyPattern();

    [GeneratedRegex(@"^(?<verb>start a review (?:of|for)|start review (?:of|for)|start review|new review|review|start|resume review of|resume review|resume|continue review|continue|change|edit|correct|fix|go ?to|risk memo|memo for|show memo|memo)\s+(?<arg>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex WithArgument();
}
