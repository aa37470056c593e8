using Microsoft.Extensions.Logging;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>Log messages of the Slack channel: ids, codes and counts only — never message text, answers or tokens.</summary>
internal static partial class Log
{
    [LoggerMessage(6001, LogLevel.Warning, "Slack request to {Path} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string path, string reason);

    [LoggerMessage(6002, LogLevel.Warning, "Slack request from team {TeamId} refused: not in Slack:AllowedTeamIds")]
    public static partial void ForeignTeam(ILogger logger, string teamId);

    [LoggerMessage(6003, LogLevel.Debug, "Slack delivery {DeliveryId} already handled (retry {RetryNum})")]
    public static partial void Duplicate(ILogger logger, string deliveryId, int retryNum);

    [LoggerMessage(6004, LogLevel.Debug, "Slack {Kind} {DeliveryId} ignored: {Reason}")]
    public static partial void Ignored(ILogger logger, string kind, string deliveryId, string reason);

    [LoggerMessage(6005, LogLevel.Warning, "Slack could not open a direct message for /dd review: {Error}")]
    public static partial void DirectMessageFailed(ILogger logger, string error);

    [LoggerMessage(6010, LogLevel.Warning, "Slack Web API {Method} answered ok:false with error {Error}")]
    public static partial void ApiError(ILogger logger, string method, string error);

    [LoggerMessage(6011, LogLevel.Information, "Slack Web API {Method} rate limited; waiting {Seconds} s (attempt {Attempt})")]
    public static partial void RateLimited(ILogger logger, string method, double seconds, int attempt);

    [LoggerMessage(6012, LogLevel.Warning, "Slack Web API {Method} failed on attempt {Attempt}: {Status}")]
    public static partial void ApiTransient(ILogger logger, string method, int attempt, string status);

    [LoggerMessage(6013, LogLevel.Warning, "Slack response_url refused: host {Host} is not hooks.slack.com or the API host")]
    public static partial void ResponseUrlRefused(ILogger logger, string host);

    [LoggerMessage(6020, LogLevel.Error, "Slack outbound {Job} failed")]
    public static partial void OutboundFailed(ILogger logger, Exception exception, string job);

    [LoggerMessage(6021, LogLevel.Warning, "Slack user name lookup gave up after {Milliseconds} ms; using the name in the payload")]
    public static partial void NameLookupSlow(ILogger logger, double milliseconds);

    [LoggerMessage(6022, LogLevel.Debug, "Slack turn answered with {Replies} replies in {Messages} messages")]
    public static partial void TurnDelivered(ILogger logger, int replies, int messages);

    [LoggerMessage(6023, LogLevel.Information, "Feedback {Rating} recorded for Slack answer {QuestionId}")]
    public static partial void FeedbackRecorded(ILogger logger, long questionId, string rating);

    [LoggerMessage(6030, LogLevel.Information, "Slack Socket Mode connected (connection {Connection})")]
    public static partial void SocketConnected(ILogger logger, int connection);

    [LoggerMessage(6031, LogLevel.Information, "Slack Socket Mode disconnect requested: {Reason}")]
    public static partial void SocketDisconnectRequested(ILogger logger, string reason);

    [LoggerMessage(6032, LogLevel.Warning, "Slack Socket Mode connection lost; reconnecting in {Seconds} s (failure {Failures})")]
    public static partial void SocketLost(ILogger logger, Exception? exception, double seconds, int failures);

    [LoggerMessage(6033, LogLevel.Warning, "Slack Socket Mode envelope of type {Type} not understood; acknowledged and dropped")]
    public static partial void SocketUnknownEnvelope(ILogger logger, string type);

    [LoggerMessage(6040, LogLevel.Information, "Memo summary of review {ReviewId} queued for the Slack review channel")]
    public static partial void MemoQueued(ILogger logger, long reviewId);
}
