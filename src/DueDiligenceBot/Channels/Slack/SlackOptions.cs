using System.ComponentModel.DataAnnotations;

namespace DueDiligenceBot.Channels.Slack;

/// <summary>
/// The Slack section. With nothing set, Slack is off: the endpoints answer 404 and no socket is opened.
/// HTTP mode needs <see cref="SigningSecret"/>, Socket Mode <see cref="AppToken"/>; both need <see cref="BotToken"/>.
/// </summary>
public sealed class SlackOptions : IValidatableObject
{
    public const string SectionName = "Slack";

    /// <summary>The app's signing secret (Basic Information → App Credentials); verifies every HTTP request.</summary>
    public string SigningSecret { get; set; } = "";

    /// <summary>The bot token (<c>xoxb-…</c>) for the Web API.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>An app-level token (<c>xapp-…</c>, scope <c>connections:write</c>); when set, Socket Mode connects.</summary>
    public string AppToken { get; set; } = "";

    /// <summary>Workspaces (team ids, <c>T…</c>) allowed to talk to the bot; empty: any workspace the app is installed in.</summary>
    public string[] AllowedTeamIds { get; set; } = [];

    /// <summary>The Web API base; a loopback fake stands in for it in tests.</summary>
    public string ApiBaseUrl { get; set; } = "https://slack.com/api/";

    public bool HttpEnabled => SigningSecret.Length > 0;
    public bool SocketModeEnabled => AppToken.Length > 0;
    public bool Enabled => HttpEnabled || SocketModeEnabled;

    public Uri ApiBase => new(ApiBaseUrl.EndsWith('/') ? ApiBaseUrl : ApiBaseUrl + "/", UriKind.Absolute);

    public bool IsAllowedTeam(string? teamId) =>
        AllowedTeamIds.Length == 0 || (teamId is not null && AllowedTeamIds.Contains(teamId, StringComparer.Ordinal));

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
            yield return new ValidationResult($"Slack:ApiBaseUrl must be an absolute http(s) URL, not '{ApiBaseUrl}'", [nameof(ApiBaseUrl)]);
        if (Enabled && string.IsNullOrWhiteSpace(BotToken))
            yield return new ValidationResult("Slack:BotToken (xoxb-…) is required when Slack:SigningSecret or Slack:AppToken is set", [nameof(BotToken)]);
        if (BotToken.Length > 0 && !BotToken.StartsWith("xoxb-", StringComparison.Ordinal))
            yield return new ValidationResult("Slack:BotToken must be a bot token starting with 'xoxb-'", [nameof(BotToken)]);
        if (AppToken.Length > 0 && !AppToken.StartsWith("xapp-", StringComparison.Ordinal))
            yield return new ValidationResult("Slack:AppToken must be an app-level token starting with 'xapp-'", [nameof(AppToken)]);
        if (BotToken.Length > 0 && !Enabled)
            yield return new ValidationResult("Slack:BotToken is set but neither Slack:SigningSecret (HTTP) nor Slack:AppToken (Socket Mode) is, so Slack cannot reach the bot", [nameof(SigningSecret)]);
        foreach (var team in AllowedTeamIds)
            if (string.IsNullOrWhiteSpace(team) || team.Any(char.IsWhiteSpace))
                yield return new ValidationResult($"Slack:AllowedTeamIds holds '{team}'; a team id looks like T0123ABCD", [nameof(AllowedTeamIds)]);
    }
}
