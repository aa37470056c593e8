using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Conversation;

namespace DueDiligenceBot.Tests.Support;

public static class ReviewWalker
{
    /// <summary>A plausible typed answer for any question, so tests can walk a whole review.</summary>
    public static string DefaultAnswer(QuestionPrompt q) => PlausibleAnswer.For(q.Type);

    /// <summary>
    /// Answers every question the bot asks (with <paramref name="answerFor"/> where it returns a value, the
    /// default otherwise) until the review completes. Bounded: a checklist longer than 200 turns fails.
    /// </summary>
    public static async Task<(Replies Last, List<string> AskedKeys)> WalkToEndAsync(BotHarness bot, Replies current,
        Func<QuestionPrompt, string?>? answerFor = null, string user = "dana", string conversation = "chat-1")
    {
        var asked = new List<string>();
        for (var turn = 0; turn < 200; turn++)
        {
            var q = current.Question;
            if (q is null) return (current, asked);
            asked.Add(q.Key);
            current = await bot.Send(answerFor?.Invoke(q) ?? DefaultAnswer(q), user, conversation);
        }
        throw new InvalidOperationException("the review did not complete within 200 turns");
    }
}
