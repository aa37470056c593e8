using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DueDiligenceBot.Tests.Channels.Teams;

/// <summary>One call the bot made to the fake Bot Connector.</summary>
public sealed record ConnectorCall(string Method, string RawPath, string? Authorization, JsonObject Body)
{
    public string Type => Body["type"]?.GetValue<string>() ?? "";
    public JsonObject? Card => Body["attachments"]?[0]?["content"] as JsonObject;
    public string? Text => Body["text"]?.GetValue<string>();
    /// <summary>Everything a person would read: the text, or every TextBlock of the card.</summary>
    public string Readable => Text ?? string.Join("\n", Card?.ToJsonString() is { } json
        ? JsonDocument.Parse(json).RootElement.GetProperty("body").EnumerateArray().SelectMany(TextsOf) : []);

    private static IEnumerable<string> TextsOf(JsonElement e)
    {
        if (e.TryGetProperty("type", out var t) && t.GetString() == "TextBlock") yield return e.GetProperty("text").GetString()!;
    }
}

/// <summary>
/// The Bot Framework on loopback, speaking the real wire formats: the OpenID metadata and JWKS (keys made by
/// the test, with endorsements), the client-credentials token endpoint, and the Connector's
/// <c>/v3/conversations</c> API, which records what the bot sends. Tokens for the bot's inbound requests are
/// minted here with the same keys.
/// </summary>
public sealed class FakeBotFramework : IAsyncDisposable
{
    public const string Issuer = "https://api.botframework.com";
    public const string EndorsedKid = "key-msteams";
    public const string OtherKid = "key-webchat-only";
    public const string UnpublishedKid = "key-unpublished";
    public const string AccessTokenPrefix = "fake-connector-token-";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ConnectorCall> _calls = new();
    private readonly ConcurrentQueue<int> _scriptedStatuses = new();
    private readonly List<(string Kid, RSA Key, string[] Endorsements)> _published = [];
    private readonly Lock _lock = new();
    private int _tokensIssued;
    private int _metadataFetches;
    private int _keysFetches;
    private int _replyIds;

    public RSA EndorsedKey { get; } = RSA.Create(2048);
    public RSA OtherKey { get; } = RSA.Create(2048);
    public RSA UnpublishedKey { get; } = RSA.Create(2048);

    private FakeBotFramework(WebApplication app)
    {
        _app = app;
        _published.Add((EndorsedKid, EndorsedKey, ["msteams"]));
        _published.Add((OtherKid, OtherKey, ["webchat"]));
    }

    public string BaseUrl { get; private set; } = "";
    /// <summary>The service URL activities name (the Connector's base, with the trailing slash Teams uses).</summary>
    public string ServiceUrl => BaseUrl + "/";
    public string MetadataUrl => BaseUrl + "/v1/.well-known/openidconfiguration";
    public string TokenEndpoint => BaseUrl + "/oauth2/v2.0/token";
    public IReadOnlyCollection<ConnectorCall> Calls => _calls.ToArray();
    public int TokensIssued => _tokensIssued;
    public int MetadataFetches => _metadataFetches;
    public int KeysFetches => _keysFetches;
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> TokenRequests { get; } = new();

    public static async Task<FakeBotFramework> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeBotFramework(app);
        fake.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = address.TrimEnd('/');
        return fake;
    }

    /// <summary>The next Connector calls answer with these statuses before answering normally.</summary>
    public void ScriptStatuses(params int[] statuses)
    {
        foreach (var s in statuses) _scriptedStatuses.Enqueue(s);
    }

    /// <summary>Adds a key to the JWKS (a key rotation the bot learns about on its next refresh).</summary>
    public void Publish(string kid, RSA key, params string[] endorsements)
    {
        lock (_lock) _published.Add((kid, key, endorsements));
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/v1/.well-known/openidconfiguration", () =>
        {
            Interlocked.Increment(ref _metadataFetches);
            return Results.Json(new
            {
                issuer = Issuer,
                authorization_endpoint = BaseUrl + "/v1/.well-known/authorize",
                jwks_uri = BaseUrl + "/v1/.well-known/keys",
                id_token_signing_alg_values_supported = new[] { "RS256" },
                token_endpoint_auth_methods_supported = new[] { "private_key_jwt" },
            });
        });
        app.MapGet("/v1/.well-known/keys", () =>
        {
            Interlocked.Increment(ref _keysFetches);
            lock (_lock)
            {
                return Results.Json(new
                {
                    keys = _published.Select(k =>
                    {
                        var p = k.Key.ExportParameters(false);
                        return new
                        {
                            kty = "RSA",
                            use = "sig",
                            kid = k.Kid,
                            n = Base64UrlEncoder.Encode(p.Modulus),
                            e = Base64UrlEncoder.Encode(p.Exponent),
                            endorsements = k.Endorsements,
                        };
                    }).ToArray(),
                });
            }
        });
        app.MapPost("/oauth2/v2.0/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            TokenRequests.Enqueue(form.ToDictionary(f => f.Key, f => f.Value.ToString()));
            var n = Interlocked.Increment(ref _tokensIssued);
            return Results.Json(new { token_type = "Bearer", expires_in = 3600, ext_expires_in = 3600, access_token = AccessTokenPrefix + n });
        });
        app.MapMethods("/v3/conversations/{**rest}", ["POST", "PUT"], async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
            var raw = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
            _calls.Enqueue(new ConnectorCall(request.Method, raw, request.Headers.Authorization.ToString(), body));
            if (_scriptedStatuses.TryDequeue(out var status) && status != 200)
                return Results.Json(new { error = new { code = "Scripted", message = "scripted failure" } }, statusCode: status);
            return Results.Json(new { id = "reply-" + Interlocked.Increment(ref _replyIds) });
        });
    }

    /// <summary>A token as the Bot Connector signs it; every claim can be bent for the attack tests.</summary>
    public string Token(string audience, string serviceUrl, string kid = EndorsedKid, string issuer = Issuer,
        DateTime? notBefore = null, DateTime? expires = null, string algorithm = SecurityAlgorithms.RsaSha256, bool includeServiceUrl = true)
    {
        var key = kid switch
        {
            EndorsedKid => EndorsedKey,
            OtherKid => OtherKey,
            UnpublishedKid => UnpublishedKey,
            _ => _published.First(k => k.Kid == kid).Key,
        };
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object> { ["aud"] = audience };
        if (includeServiceUrl) claims["serviceurl"] = serviceUrl;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Claims = claims,
            NotBefore = notBefore ?? now.AddMinutes(-1),
            IssuedAt = (notBefore ?? now.AddMinutes(-1)),
            Expires = expires ?? now.AddMinutes(30),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = kid }, algorithm),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>An unsigned token (<c>alg: none</c>) with otherwise valid claims.</summary>
    public static string UnsignedToken(string audience, string serviceUrl)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"JWT"}"""));
        var payload = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = Issuer, ["aud"] = audience, ["serviceurl"] = serviceUrl, ["nbf"] = now - 60, ["exp"] = now + 1800,
        })));
        return $"{header}.{payload}.";
    }

    /// <summary>Waits until the bot has made <paramref name="count"/> calls matching <paramref name="match"/>; bounded.</summary>
    public async Task<IReadOnlyList<ConnectorCall>> WaitForAsync(Func<ConnectorCall, bool> match, int count = 1, int timeoutMs = 15_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var found = _calls.Where(match).ToList();
            if (found.Count >= count) return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"expected {count} matching Connector calls, got {found.Count}; all calls: " +
                    string.Join(" | ", _calls.Select(c => $"{c.Method} {c.RawPath} {c.Type}: {c.Readable}")));
            await Task.Delay(25);
        }
    }

    /// <summary>The replies (not typing indicators) the bot has posted so far.</summary>
    public IReadOnlyList<ConnectorCall> Messages => _calls.Where(c => c.Method == "POST" && c.Type == "message").ToList();

    public void ClearCalls() => _calls.Clear();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        EndorsedKey.Dispose();
        OtherKey.Dispose();
        UnpublishedKey.Dispose();
    }
}
