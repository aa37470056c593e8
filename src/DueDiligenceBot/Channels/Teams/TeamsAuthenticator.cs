using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace DueDiligenceBot.Channels.Teams;

/// <summary>The outcome of checking a request from the Bot Connector: accepted, or refused with a status and a reason for the log.</summary>
public sealed record AuthOutcome(int Status, string? Reason, string? SigningKeyId, IReadOnlyCollection<string> Endorsements, string? ServiceUrlClaim)
{
    public bool Accepted => Status == StatusCodes.Status200OK;

    public static AuthOutcome Refuse(int status, string reason) => new(status, reason, null, [], null);

    public static readonly AuthOutcome Anonymous = new(StatusCodes.Status200OK, null, null, [], null);
}

/// <summary>
/// Checks the Bot Connector's JWT the way the Bot Framework authentication document and botbuilder do
/// (shared/protocols/teams-and-slack.md, appendix): Bearer scheme, issuer before any signature work, a key
/// from the OpenID metadata, RS256/384/512, lifetime with five minutes' skew, audience = our app id; then,
/// with the activity in hand, the key's endorsements and the serviceurl claim.
/// </summary>
public sealed class TeamsAuthenticator
{
    public const string BotFrameworkIssuer = "https://api.botframework.com";
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MinimumForcedRefresh = TimeSpan.FromMinutes(5);
    private static readonly string[] AllowedAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512];

    private readonly TeamsOptions _options;
    private readonly IDocumentRetriever _retriever;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private volatile ConfigurationManager<OpenIdConnectConfiguration> _metadata;
    private DateTimeOffset _lastForcedRefresh = DateTimeOffset.MinValue;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TimeProvider _clock;
    private readonly ILogger<TeamsAuthenticator> _logger;

    public TeamsAuthenticator(IOptions<TeamsOptions> options, IHttpClientFactory httpClients, TimeProvider clock, ILogger<TeamsAuthenticator> logger)
    {
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        _retriever = new LoopbackAwareDocumentRetriever(httpClients.CreateClient(TeamsHttp.MetadataClient));
        _metadata = NewManager();
    }

    /// <summary>Keys cached by IdentityModel's configuration manager and refreshed every 12 hours (the document asks for at least daily).</summary>
    private ConfigurationManager<OpenIdConnectConfiguration> NewManager() =>
        new(_options.OpenIdMetadataUrl, new OpenIdConnectConfigurationRetriever(), _retriever)
        {
            AutomaticRefreshInterval = TimeSpan.FromHours(12),
            RefreshInterval = MinimumForcedRefresh,
        };

    /// <summary>
    /// A signing key we do not know may be a new key: fetch the metadata again now, at most once per five
    /// minutes. (The manager's own RequestRefresh refreshes in the background, too late for this request, so
    /// a fresh manager takes over: its first read is synchronous, and it caches from then on.)
    /// </summary>
    private async Task<OpenIdConnectConfiguration?> ForceRefreshAsync(OpenIdConnectConfiguration seen, CancellationToken ct)
    {
        await _refreshGate.WaitAsync(ct);
        try
        {
            var current = await _metadata.GetConfigurationAsync(ct);
            if (!ReferenceEquals(current, seen)) return current; // another request refreshed meanwhile
            var now = _clock.GetUtcNow();
            if (now - _lastForcedRefresh < MinimumForcedRefresh) return null;
            _lastForcedRefresh = now;
            var fresh = NewManager();
            var config = await fresh.GetConfigurationAsync(ct);
            _metadata = fresh;
            return config;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    /// <summary>Checks 1–5 and 8 of the appendix: everything that needs only the Authorization header.</summary>
    public async Task<AuthOutcome> AuthenticateAsync(string? authorization, CancellationToken ct)
    {
        // 1. Exactly "Bearer <token>"; the scheme is compared case-sensitively, as botbuilder does.
        if (string.IsNullOrEmpty(authorization)) return AuthOutcome.Refuse(401, "no Authorization header");
        var parts = authorization.Split(' ');
        if (parts.Length != 2 || parts[0] != "Bearer" || parts[1].Length == 0)
            return AuthOutcome.Refuse(401, "Authorization is not 'Bearer <token>'");
        var raw = parts[1];

        // 2. Parse without validating and check the issuer before any signature work.
        JsonWebToken unvalidated;
        try
        {
            unvalidated = _handler.ReadJsonWebToken(raw);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            return AuthOutcome.Refuse(401, "the token is not a JWT");
        }
        if (!string.Equals(unvalidated.Issuer, BotFrameworkIssuer, StringComparison.Ordinal))
            return AuthOutcome.Refuse(401, "issuer is not https://api.botframework.com");
        if (!AllowedAlgorithms.Contains(unvalidated.Alg, StringComparer.Ordinal))
            return AuthOutcome.Refuse(401, "signing algorithm is not RS256, RS384 or RS512");

        // 3–5. Signature by a key of the metadata, lifetime, audience. An unknown key forces one refresh of
        // the metadata, at most once per five minutes.
        TokenValidationResult result;
        OpenIdConnectConfiguration config;
        try
        {
            config = await _metadata.GetConfigurationAsync(ct);
            result = await ValidateAsync(raw, config);
            if (result.Exception is SecurityTokenSignatureKeyNotFoundException && await ForceRefreshAsync(config, ct) is { } refreshed)
            {
                TeamsLog.MetadataRefreshedForUnknownKey(_logger, unvalidated.Kid ?? "(none)");
                config = refreshed;
                result = await ValidateAsync(raw, config);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            TeamsLog.MetadataUnavailable(_logger, e);
            return AuthOutcome.Refuse(503, "the OpenID metadata could not be read");
        }

        if (!result.IsValid)
            return AuthOutcome.Refuse(401, Describe(result.Exception));

        var kid = (result.SecurityToken as JsonWebToken)?.SigningKey?.KeyId ?? unvalidated.Kid;
        var endorsements = EndorsementsOf(config, kid);
        var serviceUrl = result.ClaimsIdentity.FindFirst("serviceurl")?.Value;
        return new AuthOutcome(200, null, kid, endorsements, serviceUrl);
    }

    /// <summary>Checks 6 and 7 of the appendix, which need the activity: endorsement of its channel and the serviceurl claim.</summary>
    public static AuthOutcome CheckActivity(AuthOutcome token, Activity activity)
    {
        if (string.IsNullOrEmpty(activity.ChannelId))
            return AuthOutcome.Refuse(403, "the activity has no channelId");
        if (!token.Endorsements.Contains(activity.ChannelId))
            return AuthOutcome.Refuse(403, "the signing key is not endorsed for the activity's channel");
        if (string.IsNullOrEmpty(token.ServiceUrlClaim))
            return AuthOutcome.Refuse(401, "the token has no serviceurl claim");
        if (!string.Equals(token.ServiceUrlClaim, activity.ServiceUrl, StringComparison.OrdinalIgnoreCase))
            return AuthOutcome.Refuse(401, "the serviceurl claim does not match the activity's serviceUrl");
        return token;
    }

    private Task<TokenValidationResult> ValidateAsync(string raw, OpenIdConnectConfiguration config) =>
        _handler.ValidateTokenAsync(raw, new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = BotFrameworkIssuer,
            ValidateAudience = true,
            ValidAudience = _options.AppId,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = ClockSkew,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            IssuerSigningKeys = config.SigningKeys,
            ValidAlgorithms = AllowedAlgorithms,
            TryAllIssuerSigningKeys = false,
            LifetimeValidator = (notBefore, expires, _, p) =>
            {
                var now = _clock.GetUtcNow().UtcDateTime;
                if (expires is null) return false;
                if (notBefore is { } nbf && nbf - p.ClockSkew > now) return false;
                return expires.Value + p.ClockSkew >= now;
            },
        });

    private static HashSet<string> EndorsementsOf(OpenIdConnectConfiguration config, string? kid)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (kid is null || config.JsonWebKeySet is null) return set;
        foreach (var key in config.JsonWebKeySet.Keys)
        {
            if (!string.Equals(key.Kid, kid, StringComparison.Ordinal)) continue;
            if (!key.AdditionalData.TryGetValue("endorsements", out var value)) continue;
            switch (value)
            {
                case JsonElement { ValueKind: JsonValueKind.Array } array:
                    foreach (var item in array.EnumerateArray())
                        if (item.ValueKind == JsonValueKind.String) set.Add(item.GetString()!);
                    break;
                case IEnumerable<object> items:
                    foreach (var item in items) if (item?.ToString() is { } s) set.Add(s);
                    break;
            }
        }
        return set;
    }

    private static string Describe(Exception? e) => e switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNotYetValidException => "the token is not yet valid",
        SecurityTokenInvalidLifetimeException => "the token is outside its lifetime",
        SecurityTokenInvalidAudienceException => "the audience is not this bot's app id",
        SecurityTokenInvalidIssuerException => "the issuer is not https://api.botframework.com",
        SecurityTokenSignatureKeyNotFoundException => "the signing key is not in the OpenID metadata",
        SecurityTokenInvalidAlgorithmException => "the signing algorithm is not allowed",
        SecurityTokenInvalidSignatureException => "the signature is invalid",
        null => "the token is invalid",
        _ => "the token is invalid (" + e.GetType().Name + ")",
    };
}

/// <summary>Fetches metadata over HTTPS; plain HTTP only to a loopback address (the test fakes), never elsewhere.</summary>
internal sealed class LoopbackAwareDocumentRetriever(HttpClient client) : IDocumentRetriever
{
    private readonly HttpDocumentRetriever _https = new(client) { RequireHttps = true };
    private readonly HttpDocumentRetriever _loopback = new(client) { RequireHttps = false };

    public Task<string> GetDocumentAsync(string address, CancellationToken cancel) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback
            ? _loopback.GetDocumentAsync(address, cancel)
            : _https.GetDocumentAsync(address, cancel);
}
