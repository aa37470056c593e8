using System.ComponentModel.DataAnnotations;

namespace DueDiligenceBot.Channels.Teams;

/// <summary>The <c>Teams</c> section: the Azure Bot registration and the Bot Connector's addresses.</summary>
public sealed class TeamsOptions : IValidatableObject
{
    public const string SectionName = "Teams";

    public const string PublicOpenIdMetadataUrl = "https://login.botframework.com/v1/.well-known/openidconfiguration";

    /// <summary>Microsoft's default outbound allow-list (Agents SDK OutboundHostValidator): a host matches a suffix exactly or ends with "." + suffix.</summary>
    public static readonly IReadOnlyList<string> DefaultServiceUrlHosts =
    [
        "botframework.com", "smba.trafficmanager.net", "teams.microsoft.com", "teams.microsoft.us",
        "graph.microsoft.com", "sharepoint.com", "svc.ms", "blob.core.windows.net",
    ];

    /// <summary>The Azure Bot's Microsoft App ID (a GUID). Empty: anonymous local testing, Development environment only.</summary>
    public string AppId { get; set; } = "";

    /// <summary>The app registration's client secret.</summary>
    public string AppPassword { get; set; } = "";

    /// <summary>The bot's home tenant (single-tenant Azure Bot); outbound tokens come from it.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>The Bot Connector's OpenID metadata; its <c>jwks_uri</c> holds the signing keys and their endorsements.</summary>
    public string OpenIdMetadataUrl { get; set; } = PublicOpenIdMetadataUrl;

    /// <summary>The client-credentials token endpoint; empty: <c>https://login.microsoftonline.com/{TenantId}/oauth2/v2.0/token</c>.</summary>
    public string TokenEndpoint { get; set; } = "";

    /// <summary>Tenants whose users may talk to the bot; empty: any tenant.</summary>
    public string[] AllowedTenantIds { get; set; } = [];

    /// <summary>Hosts a serviceUrl may name (suffix match); empty: <see cref="DefaultServiceUrlHosts"/>.</summary>
    public string[] AllowedServiceUrlHosts { get; set; } = [];

    /// <summary>How long one turn (engine + replies) may take in the background before it is abandoned.</summary>
    [Range(5, 600)]
    public int TurnTimeoutSeconds { get; set; } = 90;

    /// <summary>Attempts per Connector call when it answers 429, 412, 502 or 504.</summary>
    [Range(1, 8)]
    public int MaxSendAttempts { get; set; } = 4;

    /// <summary>Base delay of the exponential backoff between attempts, in milliseconds.</summary>
    [Range(1, 60_000)]
    public int RetryBaseDelayMilliseconds { get; set; } = 1000;

    public bool IsAnonymous => string.IsNullOrWhiteSpace(AppId);

    public IReadOnlyList<string> EffectiveServiceUrlHosts =>
        AllowedServiceUrlHosts.Length == 0 ? DefaultServiceUrlHosts : AllowedServiceUrlHosts;

    public string EffectiveTokenEndpoint =>
        string.IsNullOrWhiteSpace(TokenEndpoint) ? $"https://login.microsoftonline.com/{TenantId}/oauth2/v2.0/token" : TokenEndpoint;

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (!IsAnonymous)
        {
            if (!Guid.TryParse(AppId, out _))
                yield return new ValidationResult($"Teams:AppId must be the Azure Bot's Microsoft App ID (a GUID), not '{AppId}'", [nameof(AppId)]);
            if (string.IsNullOrWhiteSpace(AppPassword))
                yield return new ValidationResult("Teams:AppPassword is required when Teams:AppId is set (the app registration's client secret)", [nameof(AppPassword)]);
            if (string.IsNullOrWhiteSpace(TenantId) && string.IsNullOrWhiteSpace(TokenEndpoint))
                yield return new ValidationResult("Teams:TenantId is required when Teams:AppId is set (the bot's home tenant)", [nameof(TenantId)]);
        }
        if (!AbsoluteHttp(OpenIdMetadataUrl, requireHttpsUnlessLoopback: true))
            yield return new ValidationResult($"Teams:OpenIdMetadataUrl must be an https URL (http only on loopback), not '{OpenIdMetadataUrl}'", [nameof(OpenIdMetadataUrl)]);
        if (!string.IsNullOrWhiteSpace(TokenEndpoint) && !AbsoluteHttp(TokenEndpoint, requireHttpsUnlessLoopback: true))
            yield return new ValidationResult($"Teams:TokenEndpoint must be an https URL (http only on loopback), not '{TokenEndpoint}'", [nameof(TokenEndpoint)]);
        foreach (var host in AllowedServiceUrlHosts)
            if (string.IsNullOrWhiteSpace(host) || host.Contains('/') || host.Contains(':'))
                yield return new ValidationResult($"Teams:AllowedServiceUrlHosts entries are host names without scheme or port, not '{host}'", [nameof(AllowedServiceUrlHosts)]);
        foreach (var tenant in AllowedTenantIds)
            if (!Guid.TryParse(tenant, out _))
                yield return new ValidationResult($"Teams:AllowedTenantIds entries are tenant ids (GUIDs), not '{tenant}'", [nameof(AllowedTenantIds)]);
    }

    private static bool AbsoluteHttp(string value, bool requireHttpsUnlessLoopback) =>
        Uri.TryCreate(value, UriKind.Absolute, out var u)
        && (u.Scheme == Uri.UriSchemeHttps || (u.Scheme == Uri.UriSchemeHttp && (!requireHttpsUnlessLoopback || u.IsLoopback)));
}
