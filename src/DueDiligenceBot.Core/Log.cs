using Microsoft.Extensions.Logging;

namespace DueDiligenceBot.Core;

/// <summary>Log messages of the core. No message text, answers or secrets above Debug.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Applied migration {Version} ({Name})")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);

    [LoggerMessage(1101, LogLevel.Debug, "Turn in {Channel} classified as {Kind}")]
    public static partial void TurnClassified(ILogger logger, string channel, string kind);

    [LoggerMessage(1102, LogLevel.Information, "Conversation state conflict on attempt {Attempt}; retrying the turn")]
    public static partial void TurnConflict(ILogger logger, int attempt);

    [LoggerMessage(1103, LogLevel.Error, "Turn failed (correlation {CorrelationId})")]
    public static partial void TurnFailed(ILogger logger, Exception exception, string correlationId);

    [LoggerMessage(1104, LogLevel.Information, "Review {ReviewId} completed")]
    public static partial void ReviewCompleted(ILogger logger, long reviewId);

    [LoggerMessage(1105, LogLevel.Warning, "Completion listener failed for review {ReviewId}")]
    public static partial void ListenerFailed(ILogger logger, Exception exception, long reviewId);

    [LoggerMessage(1201, LogLevel.Information, "Knowledge loaded: {Notes} notes, {Sections} sections, {Questions} checklist questions")]
    public static partial void KnowledgeLoaded(ILogger logger, int notes, int sections, int questions);

    [LoggerMessage(1301, LogLevel.Debug, "Inbox item {Id} from {Source} delivered (attempt {Attempt})")]
    public static partial void InboxDelivered(ILogger logger, long id, string source, int attempt);

    [LoggerMessage(1302, LogLevel.Warning, "Inbox item {Id} from {Source} failed on attempt {Attempt}; given up: {GaveUp}")]
    public static partial void InboxAttemptFailed(ILogger logger, Exception exception, long id, string source, int attempt, bool gaveUp);

    [LoggerMessage(1303, LogLevel.Error, "Inbox worker loop failed; continuing")]
    public static partial void InboxLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(1211, LogLevel.Debug, "Model answer used ({Passages} passages, {Cited} cited, {ElapsedMs} ms)")]
    public static partial void ModelAnswerUsed(ILogger logger, int passages, int cited, long elapsedMs);

    [LoggerMessage(1212, LogLevel.Warning, "Model answer not used ({Reason}, {ElapsedMs} ms); sent the offline answer")]
    public static partial void ModelFallback(ILogger logger, string reason, long elapsedMs);

    [LoggerMessage(1213, LogLevel.Information, "Model call attempt {Attempt} failed with HTTP {Status}; retrying")]
    public static partial void ModelRetry(ILogger logger, int attempt, int status);
    [LoggerMessage(1401, LogLevel.Information, "Memo version {Version} stored for vendor {VendorId}: rating {Rating}")]
    public static partial void MemoVersionCreated(ILogger logger, long vendorId, int version, string rating);

    [LoggerMessage(1402, LogLevel.Warning, "Memo narrative failed; the deterministic summary is used")]
    public static partial void NarrativeFailed(ILogger logger, Exception exception);

    [LoggerMessage(1403, LogLevel.Warning, "Memo narrative rejected ({Reason}); the deterministic summary is used")]
    public static partial void NarrativeRejected(ILogger logger, string reason);

    [LoggerMessage(1405, LogLevel.Warning, "Memo narrative model call failed ({Reason}, {ElapsedMs} ms); the deterministic summary is used")]
    public static partial void NarrativeModelFailed(ILogger logger, string reason, long elapsedMs);

    [LoggerMessage(1406, LogLevel.Information, "Memo narrative stored on version {Version} of vendor {VendorId}")]
    public static partial void NarrativeStored(ILogger logger, long vendorId, int version);

    [LoggerMessage(1407, LogLevel.Information, "Memo narrative not stored on version {Version} of vendor {VendorId}: the document changed meanwhile")]
    public static partial void NarrativeNotStored(ILogger logger, long vendorId, int version);

    [LoggerMessage(1404, LogLevel.Information, "Decision {Decision} recorded on memo version {Version} of vendor {VendorId}")]
    public static partial void DecisionRecorded(ILogger logger, long vendorId, int version, string decision);
}
