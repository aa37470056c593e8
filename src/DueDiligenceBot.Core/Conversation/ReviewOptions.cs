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

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
            yield return new ValidationResult($"Review:PublicBaseUrl must be an absolute http(s) URL, not '{PublicBaseUrl}'", [nameof(PublicBaseUrl)]);
    }
}
