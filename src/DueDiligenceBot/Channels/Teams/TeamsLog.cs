namespace DueDiligenceBot.Channels.Teams;

/// <summary>Log messages of the Teams channel (event ids 5xxx). No message text, answers, tokens or secrets.</summary>
internal static partial class TeamsLog
{
    [LoggerMessage(5001, LogLevel.Warning, "Teams runs ANONYMOUSLY (Teams:AppId is empty) for local testing: no token is checked or sent, and only loopback service URLs are accepted")]
    public static partial void AnonymousMode(ILogger logger);

    [LoggerMessage(5002, LogLevel.Warning, "Teams:AppId is empty outside the Development environment: POST /api/messages refuses every request")]
    public static partial void AnonymousRefusedOutsideDevelopment(ILogger logger);

    [LoggerMessage(5003, LogLevel.Information, "Teams channel authenticates the Bot Connector with {MetadataUrl}")]
    public static partial void Authenticated(ILogger logger, string metadataUrl);

    [LoggerMessage(5010, LogLevel.Warning, "Teams request refused with {Status}: {Reason}")]
    public static partial void Refused(ILogger logger, int status, string reason);

    [LoggerMessage(5011, LogLevel.Information, "OpenID metadata refreshed for unknown signing key {KeyId}")]
    public static partial void MetadataRefreshedForUnknownKey(ILogger logger, string keyId);

    [LoggerMessage(5012, LogLevel.Error, "OpenID metadata could not be read")]
    public static partial void MetadataUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(5020, LogLevel.Debug, "Teams activity {Type} ({Name}) in a {ConversationType} conversation")]
    public static partial void ActivityReceived(ILogger logger, string type, string? name, string? conversationType);

    [LoggerMessage(5021, LogLevel.Debug, "Duplicate Teams activity ignored")]
    public static partial void Duplicate(ILogger logger);

    [LoggerMessage(5022, LogLevel.Warning, "Teams turn queue is full or stopping; the activity is refused with 503 so the Connector can retry")]
    public static partial void QueueFull(ILogger logger);

    [LoggerMessage(5030, LogLevel.Information, "Token acquired for the Bot Connector (valid {Seconds} s)")]
    public static partial void TokenAcquired(ILogger logger, int seconds);

    [LoggerMessage(5031, LogLevel.Error, "Token endpoint answered {Status}")]
    public static partial void TokenFailed(ILogger logger, int status);

    [LoggerMessage(5040, LogLevel.Debug, "Connector {Method} answered {Status} on attempt {Attempt} (operation {OperationId})")]
    public static partial void ConnectorCall(ILogger logger, string method, int status, int attempt, string? operationId);

    [LoggerMessage(5041, LogLevel.Information, "Connector {Method} answered {Status} on attempt {Attempt}; retrying")]
    public static partial void ConnectorRetry(ILogger logger, string method, int status, int attempt);

    [LoggerMessage(5042, LogLevel.Error, "Connector {Method} failed with {Status} after {Attempt} attempts (operation {OperationId})")]
    public static partial void ConnectorFailed(ILogger logger, string method, int status, int attempt, string? operationId);

    [LoggerMessage(5043, LogLevel.Warning, "Connector unreachable on attempt {Attempt}")]
    public static partial void ConnectorUnreachable(ILogger logger, Exception exception, int attempt);

    [LoggerMessage(5044, LogLevel.Error, "A service URL outside Teams:AllowedServiceUrlHosts was refused for an outbound call")]
    public static partial void ServiceUrlRefused(ILogger logger);

    [LoggerMessage(5050, LogLevel.Error, "Teams turn failed (correlation {CorrelationId})")]
    public static partial void TurnFailed(ILogger logger, Exception exception, string correlationId);

    [LoggerMessage(5051, LogLevel.Error, "Teams turn timed out after {Seconds} s")]
    public static partial void TurnTimedOut(ILogger logger, int seconds);

    [LoggerMessage(5052, LogLevel.Information, "Teams turn queue draining {Count} turns before shutdown")]
    public static partial void Draining(ILogger logger, int count);

    [LoggerMessage(5060, LogLevel.Information, "Conversation reference stored for a {ConversationType} conversation")]
    public static partial void ReferenceStored(ILogger logger, string? conversationType);

    [LoggerMessage(5061, LogLevel.Warning, "Review {ReviewId} completed but Review:TeamsChannel has no stored conversation reference; install the app in that team")]
    public static partial void NoChannelReference(ILogger logger, long reviewId);

    [LoggerMessage(5062, LogLevel.Information, "Memo summary of review {ReviewId} queued for the Teams channel")]
    public static partial void MemoQueued(ILogger logger, long reviewId);
}
