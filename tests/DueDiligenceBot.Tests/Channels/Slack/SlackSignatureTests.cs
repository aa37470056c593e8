using System.Text;
using DueDiligenceBot.Channels.Slack;

namespace DueDiligenceBot.Tests.Channels.Slack;

public sealed class SlackSignatureTests
{
    // Slack's documented example (api.slack.com/authentication/verifying-requests-from-slack), reused verbatim
    // by python-slack-sdk's and java-slack-sdk's own tests.
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    private const string Expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1531420618);

    private static SignatureCheck Verify(string? timestamp, string? signature, string body, DateTimeOffset now) =>
        SlackSignature.Verify(Secret, timestamp, signature, Encoding.UTF8.GetBytes(body), now);

    [Fact]
    public void Slacks_published_example_computes_the_published_signature()
    {
        Assert.Equal(362, Encoding.UTF8.GetByteCount(Body));
        Assert.Equal(Expected, SlackSignature.Compute(Secret, Timestamp, Encoding.UTF8.GetBytes(Body)));
    }

    [Fact]
    public void Slacks_published_example_verifies_at_its_own_time()
    {
        Assert.Equal(SignatureCheck.Valid, Verify(Timestamp, Expected, Body, At));
    }

    [Fact]
    public void Locally_derived_json_vector_verifies()
    {
        const string json = """{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}""";
        Assert.Equal("v0=f9bd80929259f3f6d5fe3a3186c453c89cd1ad4862815a15837584f31c993652",
            SlackSignature.Compute(Secret, Timestamp, Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Tampered_body_is_a_mismatch()
    {
        Assert.Equal(SignatureCheck.Mismatch, Verify(Timestamp, Expected, Body + "------", At));
        Assert.Equal(SignatureCheck.Mismatch, Verify(Timestamp, Expected, Body.Replace("text=&", "text=x&"), At));
    }

    [Fact]
    public void Tampered_signature_or_timestamp_is_a_mismatch()
    {
        Assert.Equal(SignatureCheck.Mismatch, Verify(Timestamp, Expected[..^1] + "4", Body, At));
        Assert.Equal(SignatureCheck.Mismatch, Verify(Timestamp, Expected.ToUpperInvariant(), Body, At));
        Assert.Equal(SignatureCheck.Mismatch, Verify(Timestamp, "v1=" + Expected[3..], Body, At));
        Assert.Equal(SignatureCheck.Mismatch, Verify(Timestamp, Expected[..20], Body, At));
        Assert.Equal(SignatureCheck.Mismatch, Verify("1531420619", Expected, Body, At));
    }

    [Fact]
    public void Stale_timestamps_are_refused_beyond_five_minutes()
    {
        Assert.Equal(SignatureCheck.Valid, Verify(Timestamp, Expected, Body, At.AddSeconds(300)));
        Assert.Equal(SignatureCheck.Stale, Verify(Timestamp, Expected, Body, At.AddSeconds(301)));
        // The published example with the real clock: long stale.
        Assert.Equal(SignatureCheck.Stale, Verify(Timestamp, Expected, Body, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Future_timestamps_are_refused_beyond_five_minutes()
    {
        Assert.Equal(SignatureCheck.Valid, Verify(Timestamp, Expected, Body, At.AddSeconds(-300)));
        Assert.Equal(SignatureCheck.Stale, Verify(Timestamp, Expected, Body, At.AddSeconds(-301)));
    }

    [Theory]
    [InlineData(null, Expected)]
    [InlineData("", Expected)]
    [InlineData(Timestamp, null)]
    [InlineData(Timestamp, "")]
    [InlineData(null, null)]
    public void Missing_headers_are_refused(string? timestamp, string? signature)
    {
        Assert.Equal(SignatureCheck.MissingHeaders, Verify(timestamp, signature, Body, At));
    }

    [Theory]
    [InlineData("-1531420618")]
    [InlineData("1531420618.5")]
    [InlineData("abc")]
    [InlineData("99999999999999999999")]
    public void Malformed_timestamps_are_refused(string timestamp)
    {
        Assert.Equal(SignatureCheck.BadTimestamp, Verify(timestamp, Expected, Body, At));
    }

    [Fact]
    public void A_missing_signing_secret_is_a_bug_not_a_pass()
    {
        Assert.Throws<InvalidOperationException>(() => SlackSignature.Verify("", Timestamp, Expected, Encoding.UTF8.GetBytes(Body), At));
    }
}
