using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Inbox;
using DueDiligenceBot.Core.Knowledge;
using DueDiligenceBot.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Core.Conversation;

/// <summary>Handles one message from any channel and returns the replies.</summary>
public interface IConversationEngine
{
    /// <summary>Runs the turn and finishes it: for channels that answer in the same request.</summary>
    Task<IReadOnlyList<BotReply>> HandleAsync(IncomingMessage message, CancellationToken ct = default);

    /// <summary>
    /// Runs the turn's database work in one transaction. With <paramref name="deliveryId"/> (an inbox row) the
    /// row is marked processed, with the outcome, in that same transaction, so a redelivered event is never
    /// processed twice: for a row already processed the stored outcome is returned and nothing runs.
    /// </summary>
    Task<TurnOutcome> ProcessAsync(IncomingMessage message, long? deliveryId = null, CancellationToken ct = default);

    /// <summary>Work that may be slow and needs no transaction: the framework answer, completion listeners.</summary>
    Task<IReadOnlyList<BotReply>> FinishAsync(TurnOutcome outcome, CancellationToken ct = default);
}

/// <summary>What a turn decided: its replies, a framework question still to answer, a review it completed.</summary>
public sealed record TurnOutcome(
    IReadOnlyList<BotReply> Replies,
    string? KnowledgeQuestion = null,
    string? CompletedVendor = null,
    long? CompletedReviewId = null);

/// <summary>
/// The channel-agnostic conversation: commands, checklist answers and framework questions. Each turn
/// loads the conversation state, does its work and saves state and answers in one transaction; a turn
/// that lost a race on the conversation state is retried from the start.
/// </summary>
public sealed partial class ConversationEngine(
    IDbConnectionFactory db,
    ChecklistDefinition checklist,
    IKnowledgeBase knowledge,
    TimeProvider clock,
    IOptions<ReviewOptions> reviewOptions,
    ILogger<ConversationEngine> logger,
    IReviewMemo? memo = null,
    IEnumerable<IReviewCompletedListener>? listeners = null,
    UserTurnLimiter? limiter = null) : IConversationEngine
{
    public const int MaxTextLength = 8000;
    private const int MaxAttempts = 5;

    private readonly string _baseUrl = reviewOptions.Value.PublicBaseUrl.TrimEnd('/');

    public async Task<IReadOnlyList<BotReply>> HandleAsync(IncomingMessage message, CancellationToken ct = default) =>
        await FinishAsync(await ProcessAsync(message, null, ct), ct);

    public async Task<TurnOutcome> ProcessAsync(IncomingMessage message, long? deliveryId = null, CancellationToken ct = default)
    {
        var text = message.Text?.Trim() ?? "";
        if (limiter is not null && !limiter.TryTake(message))
            return await RecordAsync(deliveryId, new TurnOutcome([Reprompt("You're sending messages faster than I can take them. Wait a few seconds and send that again; nothing you answered before is lost.")]), ct);
        if (text.Length > MaxTextLength)
            return await RecordAsync(deliveryId, new TurnOutcome([Reprompt($"That message is {text.Length:N0} characters long; I read at most {MaxTextLength:N0}. Please shorten it.")]), ct);
        if (text.Length == 0 && string.IsNullOrWhiteSpace(message.Action))
            return await RecordAsync(deliveryId, new TurnOutcome([Help()]), ct);

        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await RunTurnAsync(message, text, deliveryId, ct);
                }
                catch (Exception e) when (attempt < MaxAttempts && e.IsRetryableConflict())
                {
                    Log.TurnConflict(logger, attempt);
                    await Task.Delay(Random.Shared.Next(5, 20 * attempt), ct);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return await RecordAsync(deliveryId, new TurnOutcome([Failed(e)]), ct);
        }
    }

    public async Task<IReadOnlyList<BotReply>> FinishAsync(TurnOutcome outcome, CancellationToken ct = default)
    {
        var replies = new List<BotReply>();
        try
        {
            if (outcome.KnowledgeQuestion is { } question)
                replies.Add(ToReply(await knowledge.AskAsync(question, ct)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            replies.Add(Failed(e));
        }
        replies.AddRange(outcome.Replies);

        if (outcome.CompletedReviewId is long completed && memo is not null)
        {
            // The memo version was stored in the turn with the deterministic summary; the model's narrative
            // (if any) is written now, after the commit, so no model call holds the database write lock.
            try { await memo.OnReviewCommittedAsync(completed, ct); }
            catch (Exception e) when (e is not OperationCanceledException) { Log.ListenerFailed(logger, e, completed); }
        }
        if (outcome.CompletedReviewId is long reviewId && listeners is not null)
        {
            foreach (var listener in listeners)
            {
                try { await listener.OnReviewCompletedAsync(outcome.CompletedVendor!, reviewId, outcome.Replies, ct); }
                catch (Exception e) when (e is not OperationCanceledException) { Log.ListenerFailed(logger, e, reviewId); }
            }
        }
        return replies;
    }

    private BotReply Failed(Exception e)
    {
        var correlation = Guid.NewGuid().ToString("N")[..12];
        Log.TurnFailed(logger, e, correlation);
        return BotReply.Info($"Sorry, something went wrong on my side (reference {correlation}). Your earlier answers are safe; please send that message again.");
    }

    /// <summary>For turns that touch no state: still mark the delivery processed, so it is not run again.</summary>
    private async Task<TurnOutcome> RecordAsync(long? deliveryId, TurnOutcome outcome, CancellationToken ct)
    {
        if (deliveryId is not long id) return outcome;
        await using var dbTurn = await db.BeginTurnAsync(ct);
        var stored = await InboxStore.MarkProcessedAsync(dbTurn.Transaction, id, outcome, clock.GetUtcNow());
        await dbTurn.CommitAsync(ct);
        return stored ?? outcome;
    }

    private sealed class Outcome
    {
        public List<BotReply> Replies { get; } = [];
        public string? KnowledgeQuestion { get; set; }
        public (string VendorName, long ReviewId)? Completed { get; set; }

        public TurnOutcome ToTurnOutcome() => new(Replies, KnowledgeQuestion, Completed?.VendorName, Completed?.ReviewId);
    }

    /// <summary>Everything one turn works with, inside its transaction.</summary>
    private sealed class Turn(DbTransaction tx, IncomingMessage message, ConversationState state, DateTimeOffset now)
    {
        public DbTransaction Tx { get; } = tx;
        public IncomingMessage Message { get; } = message;
        public ConversationState State { get; } = state;
        public DateTimeOffset Now { get; } = now;
        public Actor Actor { get; } = new(message.UserId, message.UserName, message.Channel);
        public Outcome Outcome { get; } = new();

        /// <summary>Rows to store with the state save, in the same round trip.</summary>
        public DeferredInserts Deferred { get; } = new();

        /// <summary>The current answers of review <see cref="AnswersOf"/> as this turn knows them (loaded with the review, kept up to date).</summary>
        public IReadOnlyDictionary<string, AnswerRow>? Answers { get; set; }
        public long AnswersOf { get; set; }
    }

    private async Task<TurnOutcome> RunTurnAsync(IncomingMessage message, string text, long? deliveryId, CancellationToken ct)
    {
        await using var dbTurn = await db.BeginTurnAsync(ct);
        var tx = dbTurn.Transaction;
        if (deliveryId is long id && await InboxStore.ProcessedOutcomeAsync(tx, id) is { } already)
            return already;
        var (state, version) = await ConversationStore.LoadAsync<ConversationState>(tx, message.ConversationKey);
        var turn = new Turn(tx, message, state, clock.GetUtcNow());

        await DispatchAsync(turn, text, ct);

        await ConversationStore.SaveAsync(tx, message.ConversationKey, state, version, turn.Now, turn.Deferred);
        var outcome = turn.Outcome.ToTurnOutcome();
        if (deliveryId is long delivery && await InboxStore.MarkProcessedAsync(tx, delivery, outcome, turn.Now) is { } other)
            return other; // another instance finished this delivery first; ours rolls back
        await dbTurn.CommitAsync(ct);
        return outcome;
    }

    private async Task DispatchAsync(Turn turn, string text, CancellationToken ct)
    {
        var action = turn.Message.Action?.Trim();
        if (!string.IsNullOrEmpty(action))
        {
            if (ChoiceValues.TryParseAnswer(action, out var key, out var value))
            {
                Log.TurnClassified(logger, turn.Message.Channel, "button-answer");
                await AnswerAsync(turn, key, value, fromButton: true, ct);
                return;
            }
            text = action;
        }

        var command = CommandParser.Parse(text);
        if (command is not null)
        {
            Log.TurnClassified(logger, turn.Message.Channel, command.Kind.ToString());
            await RunCommandAsync(turn, command, ct);
            return;
        }

        if (turn.State.CurrentKey is { } current && turn.State.ReviewId is not null)
        {
            Log.TurnClassified(logger, turn.Message.Channel, "answer");
            await AnswerAsync(turn, current, text, fromButton: false, ct);
            return;
        }

        Log.TurnClassified(logger, turn.Message.Channel, "question");
        turn.Outcome.KnowledgeQuestion = text;
    }

    private Task RunCommandAsync(Turn turn, Command command, CancellationToken ct) => command.Kind switch
    {
        CommandKind.Help => Add(turn, Help()),
        CommandKind.Start => StartAsync(turn, command.Argument!, ct),
        CommandKind.Resume => ResumeAsync(turn, command.Argument, ct),
        CommandKind.Status => StatusAsync(turn),
        CommandKind.Skip => SkipAsync(turn, ct),
        CommandKind.Back => BackAsync(turn),
        CommandKind.Change => ChangeAsync(turn, command.Argument!),
        CommandKind.Pause => PauseAsync(turn),
        CommandKind.Vendors => VendorsAsync(turn),
        CommandKind.Why => WhyAsync(turn),
        CommandKind.Memo => MemoAsync(turn, command.Argument!, ct),
        _ => Add(turn, Help()),
    };

    private static Task Add(Turn turn, BotReply reply)
    {
        turn.Outcome.Replies.Add(reply);
        return Task.CompletedTask;
    }

    // ----- commands -------------------------------------------------------------------------------

    private async Task StartAsync(Turn turn, string vendorName, CancellationToken ct)
    {
        if (VendorNameProblem(vendorName) is { } problem)
        {
            turn.Outcome.Replies.Add(Reprompt(problem));
            return;
        }
        var vendor = await ReviewStore.GetOrCreateVendorAsync(turn.Tx, vendorName, turn.Now);
        var latest = await ReviewStore.LatestReviewAsync(turn.Tx, vendor.Id);
        ReviewRow review;
        if (latest is { IsComplete: false })
        {
            review = latest;
            turn.Outcome.Replies.Add(BotReply.Info(
                $"A review of {vendor.Name} is already under way (started by {latest.StartedBy} on {Day(latest.StartedAt)}). Let's continue it."));
            await ReviewStore.AuditAsync(turn.Tx, turn.Actor, "review_resumed", vendor.Id, review.Id, null, turn.Now);
        }
        else
        {
            review = await ReviewStore.CreateReviewAsync(turn.Tx, vendor.Id, turn.Actor.UserName, turn.Now);
            var again = latest is null ? "" : $" This is review number {review.Number}; the previous one completed on {Day(latest.CompletedAt)}.";
            turn.Outcome.Replies.Add(BotReply.Info(
                $"Starting the security review of {vendor.Name}.{again} I'll ask one question at a time. Answer in your own words, or say 'why?' to learn why a question matters, 'skip', 'back', 'status' or 'pause'. Colleagues can answer parts too: they say 'resume {vendor.Name}'."));
            await ReviewStore.AuditAsync(turn.Tx, turn.Actor, "review_started", vendor.Id, review.Id, $"review {review.Number}", turn.Now);
        }
        turn.State.VendorId = vendor.Id;
        turn.State.ReviewId = review.Id;
        turn.State.CurrentKey = null;
        await AskNextAsync(turn, vendor, review, ct);
    }

    private async Task ResumeAsync(Turn turn, string? vendorName, CancellationToken ct)
    {
        VendorRow? vendor;
        if (vendorName is null)
        {
            vendor = turn.State.VendorId is long id ? await ReviewStore.GetVendorAsync(turn.Tx, id) : null;
            if (vendor is null)
            {
                turn.Outcome.Replies.Add(Reprompt("Which vendor? Say 'resume <vendor>', or 'vendors' to see the list."));
                return;
            }
        }
        else
        {
            vendor = await ReviewStore.FindVendorAsync(turn.Tx, vendorName);
            if (vendor is null)
            {
                turn.Outcome.Replies.Add(Reprompt($"I have no review of \"{Clip(vendorName)}\". Say 'start review {Clip(vendorName)}' to begin one, or 'vendors' to see the list."));
                return;
            }
        }
        var review = await ReviewStore.LatestReviewAsync(turn.Tx, vendor.Id);
        if (review is null)
        {
            turn.Outcome.Replies.Add(Reprompt($"{vendor.Name} has no review yet. Say 'start review {vendor.Name}' to begin one."));
            return;
        }
        turn.State.VendorId = vendor.Id;
        turn.State.ReviewId = review.Id;
        turn.State.CurrentKey = null;
        await ReviewStore.AuditAsync(turn.Tx, turn.Actor, "review_resumed", vendor.Id, review.Id, null, turn.Now);
        if (review.IsComplete)
        {
            turn.Outcome.Replies.Add(BotReply.Info(
                $"The review of {vendor.Name} was completed on {Day(review.CompletedAt)}. Say 'memo {vendor.Name}' for the risk memo, 'change <question number or key>' to correct an answer, or 'start review {vendor.Name}' to begin a new review."));
            return;
        }
        await AskNextAsync(turn, vendor, review, ct, resumed: true);
    }

    private async Task StatusAsync(Turn turn)
    {
        if (await ActiveAsync(turn) is not var (vendor, review)) return;
        await ReviewStore.AuditAsync(turn.Tx, turn.Actor, "status_viewed", vendor.Id, review.Id, null, turn.Now);
        var current = await CurrentAsync(turn, review);
        var answers = ReviewStore.ToAnswerSet(current);
        var sb = new StringBuilder();
        sb.AppendLine($"Review of {vendor.Name} ({(review.IsComplete ? "complete" : "in progress")}):");
        int totalAnswered = 0, totalSkipped = 0, totalRemaining = 0;
        foreach (var section in checklist.Sections)
        {
            int answered = 0, skipped = 0, remaining = 0;
            foreach (var q in section.Questions.Where(q => checklist.IsAsked(q, answers)))
            {
                if (!current.TryGetValue(q.Key, out var row)) remaining++;
                else if (row.IsSkipped) skipped++;
                else answered++;
            }
            if (answered + skipped + remaining == 0) continue;
            sb.AppendLine($"- {section.Title}: {answered} answered, {skipped} skipped, {remaining} remaining");
            totalAnswered += answered; totalSkipped += skipped; totalRemaining += remaining;
        }
        sb.AppendLine($"In all: {totalAnswered} answered, {totalSkipped} skipped, {totalRemaining} remaining.");
        var contributors = current.Values.Select(a => a.UserName).Distinct().Order(StringComparer.Ordinal).ToList();
        if (contributors.Count > 0) sb.AppendLine($"Contributors: {string.Join(", ", contributors)}.");
        if (turn.State.CurrentKey is { } key && checklist.Find(key) is { } open)
            sb.Append($"Open now: question {open.Number}. Answer it, or say 'skip'.");
        turn.Outcome.Replies.Add(BotReply.Info(sb.ToString().TrimEnd()));
    }

    private async Task SkipAsync(Turn turn, CancellationToken ct)
    {
        if (await ActiveAsync(turn) is not var (vendor, review)) return;
        if (turn.State.CurrentKey is not { } key || checklist.Find(key) is not { } q)
        {
            turn.Outcome.Replies.Add(Reprompt($"There is no open question to skip. Say 'resume {vendor.Name}' to continue the review."));
            return;
        }
        var current = await CurrentAsync(turn, review);
        if (current.TryGetValue(key, out var existing) && !existing.IsSkipped)
        {
            turn.Outcome.Replies.Add(BotReply.Info($"Kept the existing answer to question {q.Number}."));
        }
        else
        {
            await ReviewStore.AddAnswerWithAuditAsync(turn.Tx, vendor.Id, review.Id, key, AnswerStatus.Skipped, null, turn.Actor, "answer_skipped", turn.Now);
            turn.Answers = null; // read again when needed
            turn.Outcome.Replies.Add(BotReply.Info($"Skipped question {q.Number}; it stays open in the memo. Come back with 'change {q.Number}'."));
        }
        turn.State.CurrentKey = null;
        await AskNextAsync(turn, vendor, review, ct);
    }

    private async Task BackAsync(Turn turn)
    {
        if (await ActiveAsync(turn) is not var (vendor, review)) return;
        await ReviewStore.AuditAsync(turn.Tx, turn.Actor, "answer_viewed", vendor.Id, review.Id, "back", turn.Now);
        var current = await CurrentAsync(turn, review);
        var answers = ReviewStore.ToAnswerSet(current);
        var asked = checklist.Questions.Where(q => checklist.IsAsked(q, answers)).ToList();
        Question? previous;
        if (turn.State.CurrentKey is { } key && checklist.Find(key) is { } open)
            previous = asked.LastOrDefault(q => q.Number < open.Number);
        else
            previous = asked.LastOrDefault(q => current.ContainsKey(q.Key));
        if (previous is null)
        {
            turn.Outcome.Replies.Add(Reprompt("This is the first question; there is nothing before it."));
            if (turn.State.CurrentKey is { } k && checklist.Find(k) is { } q0)
                turn.Outcome.Replies.Add(QuestionReply(q0, current, answers));
            return;
        }
        turn.State.CurrentKey = previous.Key;
        turn.Outcome.Replies.Add(QuestionReply(previous, current, answers));
    }

    private async Task ChangeAsync(Turn turn, string target)
    {
        if (await ActiveAsync(turn) is not var (vendor, review)) return;
        var q = checklist.FindByKeyOrNumber(target);
        if (q is null)
        {
            turn.Outcome.Replies.Add(Reprompt($"There is no question \"{Clip(target)}\". Give its number (1–{checklist.Questions.Count}) or its key, e.g. 'change 3' or 'change soc2_period_end'."));
            return;
        }
        var current = await CurrentAsync(turn, review);
        var answers = ReviewStore.ToAnswerSet(current);
        if (!checklist.IsAsked(q, answers))
        {
            turn.Outcome.Replies.Add(Reprompt($"Question {q.Number} is not asked for {vendor.Name} given the answers so far (it applies when {string.Join(" and ", q.When)})."));
            return;
        }
        turn.State.CurrentKey = q.Key;
        await ReviewStore.AuditAsync(turn.Tx, turn.Actor, "answer_viewed", vendor.Id, review.Id, q.Key, turn.Now);
        turn.Outcome.Replies.Add(QuestionReply(q, current, answers));
    }

    private async Task PauseAsync(Turn turn)
    {
        if (await ActiveAsync(turn) is not var (vendor, _)) return;
        turn.State.CurrentKey = null;
        turn.Outcome.Replies.Add(BotReply.Info(
            $"Paused the review of {vendor.Name}; every answer so far is saved. Say 'resume {vendor.Name}' when you're ready — here or in any other chat.",
            new ReplyChoice($"Resume {vendor.Name}", $"resume {vendor.Name}")));
    }

    private async Task VendorsAsync(Turn turn)
    {
        await ReviewStore.AuditAsync(turn.Tx, turn.Actor, "vendors_listed", null, null, null, turn.Now);
        var rows = await ReviewStore.VendorSummariesAsync(turn.Tx);
        if (rows.Count == 0)
        {
            turn.Outcome.Replies.Add(BotReply.Info("No vendors yet. Say 'start review <vendor>' to begin the first review."));
            return;
        }
        var sb = new StringBuilder("Vendors:\n");
        foreach (var r in rows.Take(50))
        {
            var what = r.Status switch
            {
                ReviewStatus.Complete => $"review {r.ReviewNumber} complete on {Day(r.CompletedAt)}",
                ReviewStatus.InProgress => $"review {r.ReviewNumber} in progress, {r.AnsweredKeys} answered",
                _ => "no review yet",
            };
            sb.AppendLine($"- {r.Name}: {what}");
        }
        if (rows.Count > 50) sb.AppendLine($"…and {rows.Count - 50} more on {_baseUrl}/vendors");
        turn.Outcome.Replies.Add(BotReply.Info(sb.ToString().TrimEnd()));
    }

    private async Task WhyAsync(Turn turn)
    {
        if (turn.State.CurrentKey is not { } key || checklist.Find(key) is not { } q)
        {
            turn.Outcome.Replies.Add(Reprompt("Ask 'why?' while a checklist question is open, and I'll explain why it matters. To ask about SOC 2, HIPAA or HITRUST, just type the question."));
            return;
        }
        var citations = new List<Citation>();
        foreach (var id in q.Notes)
        {
            if (knowledge.FindNote(id) is not { } note) continue;
            var source = note.Sources[0];
            citations.Add(new Citation(citations.Count + 1, note.Id, note.Title, note.Sections[0].Heading, source.Title, source.Url));
        }
        var refs = citations.Count == 0 ? "" : " " + string.Join(" ", citations.Select(c => $"[{c.Number}]"));
        turn.Outcome.Replies.Add(new BotReply
        {
            Kind = ReplyKind.KnowledgeAnswer,
            Text = $"Why we ask question {q.Number}: {q.Why}{refs}",
            Citations = citations,
        });
        // The question stays open: show it again so the answer buttons are at hand.
        if (turn.State.ReviewId is long reviewId && await ReviewStore.GetReviewAsync(turn.Tx, reviewId) is { } review)
        {
            var current = await CurrentAsync(turn, review);
            turn.Outcome.Replies.Add(QuestionReply(q, current, ReviewStore.ToAnswerSet(current)));
        }
    }

    private async Task MemoAsync(Turn turn, string vendorName, CancellationToken ct)
    {
        var vendor = await ReviewStore.FindVendorAsync(turn.Tx, vendorName);
        var review = vendor is null ? null : await ReviewStore.LatestReviewAsync(turn.Tx, vendor.Id);
        if (vendor is null || review is null)
        {
            turn.Outcome.Replies.Add(Reprompt($"I have no review of \"{Clip(vendorName)}\". Say 'vendors' to see the list."));
            return;
        }
        await ReviewStore.AuditAsync(turn.Tx, turn.Actor, "memo_viewed", vendor.Id, review.Id, null, turn.Now);
        if (memo is null)
        {
            turn.Outcome.Replies.Add(BotReply.Info($"The review of {vendor.Name} is at {_baseUrl}/vendors/{Uri.EscapeDataString(vendor.Name)}."));
            return;
        }
        turn.Outcome.Replies.Add(await memo.SummaryAsync(turn.Tx, vendor, review, ct));
    }

    // ----- answers --------------------------------------------------------------------------------

    private async Task AnswerAsync(Turn turn, string key, string text, bool fromButton, CancellationToken ct)
    {
        if (await ActiveAsync(turn) is not var (vendor, review)) return;
        var q = checklist.Find(key);
        if (q is null)
        {
            turn.Outcome.Replies.Add(Reprompt("That button belongs to a question this checklist no longer has."));
            return;
        }
        var current = await CurrentAsync(turn, review);
        var answers = ReviewStore.ToAnswerSet(current);
        if (!checklist.IsAsked(q, answers))
        {
            turn.Outcome.Replies.Add(Reprompt($"Question {q.Number} no longer applies to {vendor.Name} after the answers given since."));
            turn.State.CurrentKey = null;
            await AskNextAsync(turn, vendor, review, ct);
            return;
        }

        var parsed = AnswerParser.Parse(q, text);
        if (parsed is ParsedAnswer.Rejected rejected)
        {
            if (!fromButton && LooksLikeQuestion(text, q.Type))
            {
                // A question in the middle of a review: answer it, then put the open question back.
                turn.Outcome.KnowledgeQuestion = text;
                turn.Outcome.Replies.Add(QuestionReply(q, current, answers, reminder: true));
                return;
            }
            turn.Outcome.Replies.Add(Reprompt(rejected.Message));
            turn.State.CurrentKey = q.Key;
            turn.Outcome.Replies.Add(QuestionReply(q, current, answers));
            return;
        }

        var accepted = (ParsedAnswer.Accepted)parsed;
        // On PostgreSQL the answer travels with the state save at the end of the turn, saving a round trip;
        // nothing reads it back before then except the completion below, which flushes it first. SQLite is
        // in-process, where a round trip costs nothing and batching costs more than it saves.
        if (db.Dialect == SqlDialect.Postgres)
            ReviewStore.DeferAnswerWithAudit(turn.Deferred, vendor.Id, review.Id, q.Key, AnswerStatus.Answered, accepted.Value, turn.Actor, "answer_recorded", turn.Now);
        else
            await ReviewStore.AddAnswerWithAuditAsync(turn.Tx, vendor.Id, review.Id, q.Key, AnswerStatus.Answered, accepted.Value, turn.Actor, "answer_recorded", turn.Now);
        var was = current.TryGetValue(q.Key, out var previous) && !previous.IsSkipped
            ? $" (was: {AnswerParser.Display(q, previous.Value)}, from {previous.UserName})"
            : "";
        turn.Outcome.Replies.Add(BotReply.Info($"Recorded for question {q.Number}: {accepted.Display}{was}."));
        turn.State.CurrentKey = null;
        // The answers after this one, without reading them back from the database.
        var updated = new Dictionary<string, AnswerRow>(current)
        {
            [q.Key] = new AnswerRow
            {
                ReviewId = review.Id, QuestionKey = q.Key, Status = AnswerStatus.Answered, ValueJson = accepted.Value.GetRawText(),
                UserId = turn.Actor.UserId, UserName = turn.Actor.UserName, Channel = turn.Actor.Channel, AnsweredAt = turn.Now.ToString("O"),
            },
        };
        (turn.Answers, turn.AnswersOf) = (updated, review.Id);
        await AskNextAsync(turn, vendor, review, ct, current: updated);
    }

    /// <summary>
    /// A typed line that did not parse as an answer is treated as a framework question when it reads like
    /// one. Free-text questions accept anything, so there only a line ending in '?' counts.
    /// </summary>
    internal static bool LooksLikeQuestion(string text, QuestionType type)
    {
        var t = text.Trim().ToLowerInvariant();
        var words = t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var questionWord = QuestionStart().IsMatch(t);
        if (type == QuestionType.Text) return t.EndsWith('?') && questionWord && words >= 3;
        return (t.EndsWith('?') && words >= 2) || (questionWord && words >= 3);
    }

    [GeneratedRegex(@"^(what|what's|whats|why|how|when|where|who|which|is|are|does|do|can|should|could|would|will|explain|define|tell me|difference|diff)\b")]
    private static partial Regex QuestionStart();

    // ----- walking the checklist -----------------------------------------------------------------

    private async Task AskNextAsync(Turn turn, VendorRow vendor, ReviewRow review, CancellationToken ct, bool resumed = false,
        IReadOnlyDictionary<string, AnswerRow>? current = null)
    {
        current ??= await CurrentAsync(turn, review);
        var answers = ReviewStore.ToAnswerSet(current);
        var next = checklist.Questions.FirstOrDefault(q => checklist.IsAsked(q, answers) && !current.ContainsKey(q.Key));
        if (next is not null)
        {
            turn.State.CurrentKey = next.Key;
            if (resumed)
                turn.Outcome.Replies.Add(BotReply.Info($"Resuming the review of {vendor.Name} at question {next.Number}."));
            turn.Outcome.Replies.Add(QuestionReply(next, current, answers));
            return;
        }

        turn.State.CurrentKey = null;
        var asked = checklist.Questions.Where(q => checklist.IsAsked(q, answers)).ToList();
        var skipped = asked.Where(q => current.TryGetValue(q.Key, out var r) && r.IsSkipped).ToList();
        var answeredCount = asked.Count - skipped.Count;
        var open = skipped.Count == 0
            ? ""
            : $" {skipped.Count} skipped question{(skipped.Count == 1 ? "" : "s")} stay open ({string.Join(", ", skipped.Select(q => q.Number))}); answer them any time with 'change <number>'.";

        if (review.IsComplete)
        {
            turn.Outcome.Replies.Add(BotReply.Info(
                $"Every question of the review of {vendor.Name} has an answer.{open} Say 'memo {vendor.Name}' for the updated risk memo."));
            return;
        }

        await turn.Deferred.FlushAsync(turn.Tx); // the memo below reads every answer, the last one included
        await ReviewStore.CompleteReviewAsync(turn.Tx, review.Id, turn.Now);
        await ReviewStore.AuditAsync(turn.Tx, turn.Actor, "review_completed", vendor.Id, review.Id, null, turn.Now);
        Log.ReviewCompleted(logger, review.Id);
        review.Status = ReviewStatus.Complete;
        review.CompletedAt = turn.Now.ToString("O");
        turn.Outcome.Replies.Add(BotReply.Info(
            $"The review of {vendor.Name} is complete: {answeredCount} question{(answeredCount == 1 ? "" : "s")} answered.{open} Next, security reads the risk memo and approves or rejects the vendor; it is at {_baseUrl}/vendors/{Uri.EscapeDataString(vendor.Name)}."));
        if (memo is not null)
            turn.Outcome.Replies.AddRange(await memo.OnReviewCompletedAsync(turn.Tx, vendor, review, ct));
        turn.Outcome.Completed = (vendor.Name, review.Id);
    }

    private BotReply QuestionReply(Question q, IReadOnlyDictionary<string, AnswerRow> current, AnswerSet answers, bool reminder = false)
    {
        var asked = checklist.Questions.Where(x => checklist.IsAsked(x, answers)).ToList();
        var done = asked.Count(x => current.ContainsKey(x.Key));
        var remaining = asked.Count - done;
        var section = checklist.SectionOf(q);
        string? currentAnswer = null;
        if (current.TryGetValue(q.Key, out var row))
            currentAnswer = row.IsSkipped
                ? $"skipped by {row.UserName} on {Day(row.AnsweredAt)}"
                : $"{AnswerParser.Display(q, row.Value)} (from {row.UserName}, {Day(row.AnsweredAt)})";

        var sb = new StringBuilder();
        if (reminder) sb.Append("Back to the review: ");
        sb.Append($"Question {q.Number} · {section.Title} · {done} done, {remaining} to go\n");
        sb.Append(q.Prompt);
        if (q.Type is QuestionType.Choice or QuestionType.MultiChoice)
        {
            sb.Append('\n');
            sb.Append(string.Join("\n", q.Options.Select((o, i) => $"  {i + 1}. {o.Label}")));
        }
        if (currentAnswer is not null) sb.Append($"\nCurrent answer: {currentAnswer}. Answer again to change it, or 'skip' to keep it.");
        sb.Append('\n').Append(Hint(q));

        var choices = new List<ReplyChoice>();
        switch (q.Type)
        {
            case QuestionType.YesNo:
                choices.Add(new("Yes", ChoiceValues.Answer(q.Key, "yes")));
                choices.Add(new("No", ChoiceValues.Answer(q.Key, "no")));
                break;
            case QuestionType.Choice:
                choices.AddRange(q.Options.Select(o => new ReplyChoice(o.Label, ChoiceValues.Answer(q.Key, o.Value))));
                break;
        }
        if (q.Type != QuestionType.Text) choices.Add(new("Unknown", ChoiceValues.Answer(q.Key, "unknown")));
        choices.Add(new("Why?", "why"));
        choices.Add(new("Skip", "skip"));
        choices.Add(new("Pause", "pause"));

        return new BotReply
        {
            Kind = ReplyKind.Question,
            Text = sb.ToString(),
            Choices = choices,
            Question = new QuestionPrompt(q.Key, q.Number, done + 1, remaining, section.Title, q.Prompt, q.Type, q.Options, q.Unit, currentAnswer),
        };
    }

    private static string Hint(Question q) => q.Type switch
    {
        QuestionType.YesNo => "(yes / no / unknown — or 'why?', 'skip', 'pause')",
        QuestionType.Choice => "(a number or a name, 'unknown' — or 'why?', 'skip', 'pause')",
        QuestionType.MultiChoice => "(numbers or names separated by commas, or 'all' — or 'why?', 'skip', 'pause')",
        QuestionType.Date => "(a date such as 2026-06-30, 'unknown' — or 'why?', 'skip', 'pause')",
        QuestionType.Number => $"(a whole number{(q.Unit is null ? "" : " of " + q.Unit)}, 'unknown' — or 'why?', 'skip', 'pause')",
        _ => "(a few words, 'none' if there is nothing, 'unknown' — or 'why?', 'skip', 'pause')",
    };

    /// <summary>The answers <see cref="ActiveAsync"/> loaded with the review, or read now.</summary>
    private static async Task<IReadOnlyDictionary<string, AnswerRow>> CurrentAsync(Turn turn, ReviewRow review) =>
        turn.Answers is { } known && turn.AnswersOf == review.Id ? known : await ReviewStore.CurrentAnswersAsync(turn.Tx, review.Id);

    private async Task<(VendorRow Vendor, ReviewRow Review)?> ActiveAsync(Turn turn)
    {
        if (turn.State.ReviewId is long reviewId && await ReviewStore.GetReviewWithAnswersAsync(turn.Tx, reviewId) is var (review, vendor, answers))
        {
            (turn.Answers, turn.AnswersOf) = (answers, review.Id);
            return (vendor, review);
        }
        turn.Outcome.Replies.Add(Reprompt("No review is open in this chat. Say 'start review <vendor>' or 'resume <vendor>' first ('vendors' lists them)."));
        return null;
    }

    // ----- replies --------------------------------------------------------------------------------

    internal static string? VendorNameProblem(string name)
    {
        var t = name.Trim();
        if (t.Length == 0) return "Please give the vendor's name, e.g. 'start review Acme Health'.";
        if (t.Length > ReviewStore.MaxVendorNameLength)
            return $"That vendor name is {t.Length} characters; please keep it under {ReviewStore.MaxVendorNameLength}.";
        if (t.Any(char.IsControl)) return "A vendor name cannot contain control characters.";
        if (!t.Any(char.IsLetterOrDigit)) return "A vendor name needs at least one letter or digit.";
        return null;
    }

    private static BotReply Reprompt(string text) => new() { Kind = ReplyKind.Reprompt, Text = text };

    internal static BotReply Help() => new()
    {
        Kind = ReplyKind.Welcome,
        Text = """
            I help with vendor security due diligence for healthcare.
            Reviews: 'start review <vendor>' walks you through the checklist one question at a time; 'resume <vendor>' continues one (from any chat); 'status' shows progress; 'skip', 'back', 'change <number or key>', 'why?' and 'pause' work during a review; 'vendors' lists them; 'memo <vendor>' shows the risk memo.
            Questions: ask me anything about SOC 2, the HIPAA Security Rule or HITRUST, e.g. "what is a bridge letter?" — I answer from our curated notes, with citations, or tell you when it is not in my notes.
            """,
        Choices = [new ReplyChoice("Vendors", "vendors"), new ReplyChoice("Help", "help")],
    };

    private static BotReply ToReply(KnowledgeAnswer answer) => new()
    {
        Kind = ReplyKind.KnowledgeAnswer,
        Text = answer.Text,
        Citations = answer.Citations,
    };

    private static string Day(string? iso) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var d)
            ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "an unknown date";

    private static string Clip(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
