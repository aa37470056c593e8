using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using DueDiligenceBot.Core.Conversation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Security;

/// <summary>
/// Who gets in. With sign-in configured, people sign in with OpenID Connect (Entra ID or any OIDC provider) to
/// use the review pages and the web chat, and API clients send a configured key; reviewer rights are a list
/// of ids. Without sign-in the bot runs in local mode: only connections from this machine are let in, as the
/// local user, and outside Development it refuses to listen on any address but loopback.
/// </summary>
public static class AccessExtensions
{
    public const string People = "people";
    public const string Api = "api";
    public const string ApiKeyScheme = "ApiKey";
    public const string DevelopmentScheme = "Development";

    public static WebApplicationBuilder AddAccess(this WebApplicationBuilder builder)
    {
        var review = builder.Configuration.GetSection(ReviewOptions.SectionName).Get<ReviewOptions>() ?? new ReviewOptions();
        var signIn = review.SignIn.Authority.Length > 0;
        var development = !signIn; // local mode

        var auth = builder.Services.AddAuthentication(o =>
        {
            o.DefaultScheme = development ? DevelopmentScheme : CookieAuthenticationDefaults.AuthenticationScheme;
            o.DefaultChallengeScheme = development ? DevelopmentScheme : signIn ? OpenIdConnectDefaults.AuthenticationScheme : CookieAuthenticationDefaults.AuthenticationScheme;
        });
        auth.AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyScheme, null);
        if (development)
        {
            auth.AddScheme<AuthenticationSchemeOptions, DevelopmentHandler>(DevelopmentScheme, null);
        }
        else
        {
            auth.AddCookie(o =>
            {
                o.Cookie.Name = "ddbot.auth";
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
            });
            if (signIn)
            {
                auth.AddOpenIdConnect(o =>
                {
                    o.Authority = review.SignIn.Authority;
                    o.ClientId = review.SignIn.ClientId;
                    o.ClientSecret = review.SignIn.ClientSecret;
                    o.ResponseType = "code";
                    o.UsePkce = true;
                    o.SaveTokens = false;
                    o.MapInboundClaims = false;
                    o.Scope.Clear();
                    o.Scope.Add("openid");
                    o.Scope.Add("profile");
                    o.TokenValidationParameters.NameClaimType = "name";
                    // Scripts and API clients get 401, not a redirect to a sign-in page they cannot follow.
                    o.Events.OnRedirectToIdentityProvider = context =>
                    {
                        if (context.Request.Path.StartsWithSegments("/api"))
                        {
                            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                            context.HandleResponse();
                        }
                        return Task.CompletedTask;
                    };
                });
            }
        }

        builder.Services.AddAuthorization(o =>
        {
            var peopleSchemes = development ? new[] { DevelopmentScheme } : [CookieAuthenticationDefaults.AuthenticationScheme];
            o.AddPolicy(People, p => p.AddAuthenticationSchemes(peopleSchemes).RequireAuthenticatedUser());
            o.AddPolicy(Api, p => p.AddAuthenticationSchemes([.. peopleSchemes, ApiKeyScheme]).RequireAuthenticatedUser());
        });
        builder.Services.AddSingleton<ReviewerDirectory>();
        return builder;
    }

    /// <summary>
    /// Without sign-in, outside Development, the bot refuses to listen beyond loopback: the review pages and the
    /// web chat hold confidential vendor records.
    /// </summary>
    public static string? Problem(IHostEnvironment environment, ReviewOptions options, IEnumerable<string> urls)
    {
        if (environment.IsDevelopment() || options.SignIn.Authority.Length > 0) return null;
        var exposed = urls.Where(u => !IsLoopbackUrl(u)).ToList();
        return exposed.Count == 0
            ? null
            : $"the bot would listen on {string.Join(", ", exposed)} without sign-in. Set Review:SignIn:Authority, Review:SignIn:ClientId and Review:SignIn:ClientSecret (the review pages and the web chat hold confidential vendor records), or listen on localhost only.";
    }

    private static bool IsLoopbackUrl(string url)
    {
        var host = url.Replace("://+", "://any").Replace("://*", "://any");
        return Uri.TryCreate(host, UriKind.Absolute, out var u)
            && (u.IsLoopback || u.Host is "localhost" || (System.Net.IPAddress.TryParse(u.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip)));
    }

    /// <summary>The signed-in person as an answer author: stable id and display name.</summary>
    public static (string Id, string Name) Person(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue("oid") ?? user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown";
        var name = user.FindFirstValue("name") ?? user.Identity?.Name ?? id;
        return (id, name);
    }
}

/// <summary>Reviewer rights, checked on every decision.</summary>
public sealed class ReviewerDirectory(IOptions<ReviewOptions> options)
{
    private readonly HashSet<string> _reviewers = new(options.Value.Reviewers, StringComparer.Ordinal);

    /// <summary>Whether the person may approve or reject memos (<paramref name="kind"/>: entra, slack, teams).</summary>
    public bool IsReviewer(string kind, string id) => _reviewers.Contains($"{kind}:{id}");

    public bool IsReviewer(ClaimsPrincipal user)
    {
        if (user.Identity?.AuthenticationType == AccessExtensions.DevelopmentScheme) return true; // local mode: the person at this machine
        return IsReviewer("entra", AccessExtensions.Person(user).Id);
    }
}

/// <summary><c>Authorization: Bearer &lt;key&gt;</c> against Review:ApiKeys, compared in constant time.</summary>
internal sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<ReviewOptions> review)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private readonly byte[][] _keys = review.Value.ApiKeys.Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k))).ToArray();

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return Task.FromResult(AuthenticateResult.NoResult());
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        var index = Array.FindIndex(_keys, k => CryptographicOperations.FixedTimeEquals(k, presented));
        if (index < 0) return Task.FromResult(AuthenticateResult.Fail("unknown API key"));
        var identity = new ClaimsIdentity([new Claim("sub", $"api-key-{index + 1}"), new Claim("name", $"API client {index + 1}")], ApiKeyScheme, "name", null);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    private const string ApiKeyScheme = AccessExtensions.ApiKeyScheme;
}

/// <summary>Local mode (no sign-in configured): a connection from this machine is the local user; nothing else gets in.</summary>
internal sealed class DevelopmentHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var remote = Context.Connection.RemoteIpAddress;
        // TestServer (in-process tests) has no remote address; a real socket from elsewhere is refused.
        if (remote is not null && !System.Net.IPAddress.IsLoopback(remote))
            return Task.FromResult(AuthenticateResult.Fail("sign-in is not configured; only local connections are accepted"));
        var identity = new ClaimsIdentity([new Claim("sub", "local-developer"), new Claim("name", "Local developer")], AccessExtensions.DevelopmentScheme, "name", null);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }
}
