using System.Net;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace DueDiligenceBot.Tests.Channels.Teams;

/// <summary>One app and one fake Bot Framework for the whole attack matrix: nothing is ever accepted, so nothing may ever be stored.</summary>
public sealed class AttackHost : IAsyncLifetime
{
    public TeamsTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Host = await TeamsTestHost.StartAsync(new Dictionary<string, string?> { ["Teams:AllowedTenantIds:0"] = TeamsTestHost.TenantId });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// The attack matrix of issue 5: every request is refused with the right status, before anything is stored
/// and before the bot says anything to the Connector.
/// </summary>
public sealed class TeamsAuthenticationTests(AttackHost fixture) : IClassFixture<AttackHost>
{
    private TeamsTestHost Host => fixture.Host;
    private FakeBotFramework Fake => Host.Fake;
    private const string Aud = TeamsTestHost.AppId;

    private async Task AssertRefused(JsonObject activity, string? authorization, HttpStatusCode expected)
    {
        var response = await Host.PostAsync(activity, authorization);
        Assert.Equal(expected, response.StatusCode);
        await Task.Delay(150); // anything accepted would be stored and queued by now
        Assert.Equal(0, Host.StoredRows());
        Assert.DoesNotContain(Fake.Calls, c => c.Body["conversation"]?["id"]?.GetValue<string>() == activity["conversation"]?["id"]?.GetValue<string>());
    }

    private JsonObject Start() => Host.Message("start review Acme Health", conversationId: "a:attack-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public Task No_authorization_header_is_refused_with_401() =>
        AssertRefused(Start(), null, HttpStatusCode.Unauthorized);

    [Fact]
    public async Task Wrong_scheme_is_refused_with_401()
    {
        var token = Fake.Token(Aud, Fake.ServiceUrl);
        await AssertRefused(Start(), "bearer " + token, HttpStatusCode.Unauthorized);
        await AssertRefused(Start(), "Basic " + token, HttpStatusCode.Unauthorized);
        await AssertRefused(Start(), "Bearer", HttpStatusCode.Unauthorized);
    }

    [Fact]
    public Task Unsigned_alg_none_token_is_refused_with_401() =>
        AssertRefused(Start(), "Bearer " + FakeBotFramework.UnsignedToken(Aud, Fake.ServiceUrl), HttpStatusCode.Unauthorized);

    [Fact]
    public Task Wrong_issuer_is_refused_with_401() =>
        AssertRefused(Start(), "Bearer " + Fake.Token(Aud, Fake.ServiceUrl, issuer: "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"),
            HttpStatusCode.Unauthorized);

    [Fact]
    public Task Wrong_audience_is_refused_with_401() =>
        AssertRefused(Start(), "Bearer " + Fake.Token("11111111-2222-4333-8444-555555555555", Fake.ServiceUrl), HttpStatusCode.Unauthorized);

    [Fact]
    public Task Expired_token_is_refused_with_401() =>
        AssertRefused(Start(), "Bearer " + Fake.Token(Aud, Fake.ServiceUrl, notBefore: DateTime.UtcNow.AddMinutes(-60), expires: DateTime.UtcNow.AddMinutes(-6)),
            HttpStatusCode.Unauthorized);

    [Fact]
    public Task Not_yet_valid_token_is_refused_with_401() =>
        AssertRefused(Start(), "Bearer " + Fake.Token(Aud, Fake.ServiceUrl, notBefore: DateTime.UtcNow.AddMinutes(6), expires: DateTime.UtcNow.AddMinutes(60)),
            HttpStatusCode.Unauthorized);

    [Fact]
    public Task Token_signed_with_RS256_by_an_unknown_key_is_refused_with_401() =>
        AssertRefused(Start(), "Bearer " + Fake.Token(Aud, Fake.ServiceUrl, kid: FakeBotFramework.UnpublishedKid), HttpStatusCode.Unauthorized);

    [Fact]
    public Task Token_with_a_symmetric_HS256_signature_is_refused_with_401()
    {
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = FakeBotFramework.Issuer,
            Claims = new Dictionary<string, object> { ["aud"] = Aud, ["serviceurl"] = Fake.ServiceUrl },
            Expires = DateTime.UtcNow.AddMinutes(30),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(new byte[32]) { KeyId = FakeBotFramework.EndorsedKid }, SecurityAlgorithms.HmacSha256),
        });
        return AssertRefused(Start(), "Bearer " + token, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public Task Key_not_endorsed_for_msteams_is_refused_with_403() =>
        AssertRefused(Start(), "Bearer " + Fake.Token(Aud, Fake.ServiceUrl, kid: FakeBotFramework.OtherKid), HttpStatusCode.Forbidden);

    [Fact]
    public async Task Empty_channelId_is_refused_with_403()
    {
        var activity = Start();
        activity["channelId"] = "";
        await AssertRefused(activity, Host.ValidAuthorization(activity), HttpStatusCode.Forbidden);
        activity.Remove("channelId");
        await AssertRefused(activity, Host.ValidAuthorization(activity), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Serviceurl_claim_mismatch_is_refused_with_401()
    {
        await AssertRefused(Start(), "Bearer " + Fake.Token(Aud, "https://smba.trafficmanager.net/amer/"), HttpStatusCode.Unauthorized);
        await AssertRefused(Start(), "Bearer " + Fake.Token(Aud, Fake.ServiceUrl, includeServiceUrl: false), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Body_tampered_after_signing_is_refused()
    {
        var activity = Start();
        var authorization = Host.ValidAuthorization(activity);
        // The token binds the service URL and (through the key's endorsements) the channel, not the bytes:
        // a body that redirects the replies or claims another channel no longer matches it.
        activity["serviceUrl"] = "https://smba.trafficmanager.net/amer/";
        await AssertRefused(activity, authorization, HttpStatusCode.Unauthorized);
        var other = Start();
        other["channelId"] = "webchat";
        await AssertRefused(other, Host.ValidAuthorization(other), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Tenant_not_allowed_is_refused_with_403()
    {
        var activity = Start();
        activity["conversation"]!["tenantId"] = TeamsTestHost.OtherTenantId;
        activity["channelData"]!["tenant"]!["id"] = TeamsTestHost.OtherTenantId;
        await AssertRefused(activity, Host.ValidAuthorization(activity), HttpStatusCode.Forbidden);

        var noTenant = Start();
        noTenant["conversation"]!.AsObject().Remove("tenantId");
        noTenant.Remove("channelData");
        await AssertRefused(noTenant, Host.ValidAuthorization(noTenant), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Service_url_not_on_the_allow_list_is_refused_with_403()
    {
        // Correctly signed for its service URL, but the host is not one the bot may send its token to.
        var activity = Host.Message("start review Acme Health", conversationId: "a:attack-ssrf", serviceUrl: "https://attacker.example.net/");
        await AssertRefused(activity, Host.ValidAuthorization(activity), HttpStatusCode.Forbidden);
        var plainHttp = Host.Message("start review Acme Health", conversationId: "a:attack-http", serviceUrl: "http://smba.trafficmanager.net/amer/");
        await AssertRefused(plainHttp, Host.ValidAuthorization(plainHttp), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_body_that_is_not_an_activity_is_refused_with_400_after_authentication()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = new StringContent("{\"type\":", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", Host.ValidAuthorization());
        Assert.Equal(HttpStatusCode.BadRequest, (await Host.Client.SendAsync(request)).StatusCode);
        using var unauthenticated = new HttpRequestMessage(HttpMethod.Post, "/api/messages") { Content = new StringContent("{\"type\":", System.Text.Encoding.UTF8, "application/json") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await Host.Client.SendAsync(unauthenticated)).StatusCode);
        Assert.Equal(0, Host.StoredRows());
    }
}
