using System.Net;
using Microsoft.IdentityModel.Tokens;

namespace DueDiligenceBot.Tests.Channels.Teams;

public sealed class TeamsTokenTests
{
    [Fact]
    public async Task A_valid_token_gets_the_reply_at_the_fake_connector_with_the_bearer_token_from_the_fake_token_endpoint()
    {
        await using var host = await TeamsTestHost.StartAsync();
        var activity = host.Message("start review Acme Health");
        var response = await host.PostAsync(activity);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var replies = await host.Fake.WaitForAsync(c => c.Type == "message", count: 2);
        Assert.All(host.Fake.Calls, c => Assert.StartsWith("Bearer " + FakeBotFramework.AccessTokenPrefix, c.Authorization));
        Assert.Equal(1, host.Fake.TokensIssued); // cached across calls
        Assert.True(host.Fake.TokenRequests.TryPeek(out var form));
        Assert.Equal("client_credentials", form["grant_type"]);
        Assert.Equal(TeamsTestHost.AppId, form["client_id"]);
        Assert.Equal("https://api.botframework.com/.default", form["scope"]);

        // Replies go to /v3/conversations/{id}/activities/{activityId}, ids URL-encoded (':' in Teams ids).
        var expectedPath = $"/v3/conversations/{Uri.EscapeDataString(TeamsTestHost.PersonalConversation)}/activities/{activity["id"]}";
        Assert.All(replies, r => Assert.Equal(expectedPath, r.RawPath));
        Assert.Contains("%3A", replies[0].RawPath);
        Assert.Contains(host.Fake.Calls, c => c.Type == "typing");
        Assert.Contains("Starting the security review of Acme Health", replies[0].Readable);
        Assert.Equal("AdaptiveCard", replies[^1].Card?["type"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_token_that_expired_within_the_five_minute_skew_is_accepted()
    {
        await using var host = await TeamsTestHost.StartAsync();
        var activity = host.Message("help");
        var token = host.Fake.Token(TeamsTestHost.AppId, host.Fake.ServiceUrl, notBefore: DateTime.UtcNow.AddMinutes(-60), expires: DateTime.UtcNow.AddMinutes(-3));
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(activity, "Bearer " + token)).StatusCode);
    }

    [Fact]
    public async Task RS384_and_RS512_are_accepted()
    {
        await using var host = await TeamsTestHost.StartAsync();
        foreach (var alg in new[] { SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512 })
        {
            var activity = host.Message("help");
            var token = host.Fake.Token(TeamsTestHost.AppId, host.Fake.ServiceUrl, algorithm: alg);
            Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(activity, "Bearer " + token)).StatusCode);
        }
    }

    [Fact]
    public async Task An_unknown_key_forces_one_metadata_refresh_and_a_second_within_five_minutes_does_not()
    {
        await using var host = await TeamsTestHost.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(host.Message("help"))).StatusCode);
        var keysFetchesAfterFirst = host.Fake.KeysFetches;

        // A key rotation: the Connector starts signing with a key the bot has not seen.
        using var rotated = System.Security.Cryptography.RSA.Create(2048);
        host.Fake.Publish("key-rotated", rotated, "msteams");
        var withNewKey = host.Message("help");
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(withNewKey, "Bearer " + host.Fake.Token(TeamsTestHost.AppId, host.Fake.ServiceUrl, kid: "key-rotated"))).StatusCode);
        Assert.Equal(keysFetchesAfterFirst + 1, host.Fake.KeysFetches);

        // Another unknown key at once: refused, and no second fetch within the five-minute floor.
        var unknown = host.Message("help");
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.PostAsync(unknown, "Bearer " + host.Fake.Token(TeamsTestHost.AppId, host.Fake.ServiceUrl, kid: FakeBotFramework.UnpublishedKid))).StatusCode);
        Assert.Equal(keysFetchesAfterFirst + 1, host.Fake.KeysFetches);
    }

    [Fact]
    public async Task When_the_OpenID_metadata_cannot_be_read_requests_are_refused_with_503_and_nothing_is_stored()
    {
        await using var host = await TeamsTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Teams:OpenIdMetadataUrl"] = $"http://127.0.0.1:{Support.AppProcess.FreePort()}/v1/.well-known/openidconfiguration",
        });
        var activity = host.Message("start review Acme Health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.PostAsync(activity)).StatusCode);
        await Task.Delay(150);
        Assert.Equal(0, host.StoredRows());
        Assert.Empty(host.Fake.Calls);
    }
}
