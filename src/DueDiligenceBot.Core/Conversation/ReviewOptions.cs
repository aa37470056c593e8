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

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
            yield return new ValidationResult($"Review:PublicBaseUrl must be an absolute http(s) URL, not '{PublicBaseUrl}'", [nameof(PublicBaseUrl)]);
    }
}
