using System.ComponentModel.DataAnnotations;

namespace DueDiligenceBot.Core.Conversation;

public sealed class ReviewOptions : IValidatableObject
{
    public const string SectionName = "Review";

    /// <summary>The bot's public address, used for links to review pages in chat replies.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:3978";

    /// <summary>Teams channel (conversation id) that receives completed memos; empty: none.</summary>
    public string TeamsChannel { get; set; } = "";

    /// <summary>Slack channel id that receives completed memos; empty: none.</summary>
    public string SlackChannel { get; set; } = "";

    /// <summary>How many messages one person may send the bot per minute, in any channel (a token bucket).</summary>
    [Range(1, 100_000, ErrorMessage = "Review:MaxTurnsPerUserPerMinute must be between 1 and 100000")]
    public int MaxTurnsPerUserPerMinute { get; set; } = 60;

    /// <summary>How many API and web chat requests one client address may make per minute.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Review:ApiRequestsPerMinutePerClient must be between 1 and 1000000")]
    public int ApiRequestsPerMinutePerClient { get; set; } = 600;

    /// <summary>OpenID Connect sign-in for people on the review pages and the web chat (required outside Development).</summary>
    public SignInOptions SignIn { get; set; } = new();

    /// <summary>Keys API clients send as <c>Authorization: Bearer &lt;key&gt;</c> (from configuration or environment only).</summary>
    public string[] ApiKeys { get; set; } = [];

    /// <summary>
    /// Who may approve or reject memos: <c>entra:&lt;object id&gt;</c> for people signed in with Entra ID,
    /// <c>slack:&lt;user id&gt;</c>, <c>teams:&lt;AAD object id&gt;</c>.
    /// </summary>
    public string[] Reviewers { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (SignIn.Authority.Length > 0 && (!Uri.TryCreate(SignIn.Authority, UriKind.Absolute, out var authority) || authority.Scheme != "https"))
            yield return new ValidationResult($"Review:SignIn:Authority must be an https URL, not '{SignIn.Authority}'", ["SignIn"]);
        if (SignIn.Authority.Length > 0 && SignIn.ClientId.Length == 0)
            yield return new ValidationResult("Review:SignIn:ClientId is required when Review:SignIn:Authority is set", ["SignIn"]);
        if (ApiKeys.Any(k => k.Length < 32))
            yield return new ValidationResult("Review:ApiKeys: every key must be at least 32 characters (e.g. openssl rand -hex 32)", [nameof(ApiKeys)]);
        foreach (var r in Reviewers.Where(r => !(r.StartsWith("entra:", StringComparison.Ordinal) || r.StartsWith("slack:", StringComparison.Ordinal) || r.StartsWith("teams:", StringComparison.Ordinal)) || r.IndexOf(':') == r.Length - 1))
            yield return new ValidationResult($"Review:Reviewers: '{r}' must be entra:<object id>, slack:<user id> or teams:<object id>", [nameof(Reviewers)]);
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
            yield return new ValidationResult($"Review:PublicBaseUrl must be an absolute http(s) URL, not '{PublicBaseUrl}'", [nameof(PublicBaseUrl)]);
    }
}

public sealed class SignInOptions
{
    /// <summary>The OpenID Connect authority, e.g. https://login.microsoftonline.com/&lt;tenant id&gt;/v2.0 for Entra ID.</summary>
    public string Authority { get; set; } = "";

    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";
}
