using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DueDiligenceBot.Channels.Slack;

public enum SignatureCheck { Valid, MissingHeaders, BadTimestamp, Stale, Mismatch }

/// <summary>
/// Slack's v0 request signature: HMAC-SHA256 keyed with the signing secret (as UTF-8 text) over
/// <c>v0:{timestamp}:{raw body}</c>, lowercase hex, compared in constant time; the timestamp must lie
/// within five minutes of now, in either direction.
/// </summary>
public static class SlackSignature
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private const string Prefix = "v0=";

    public static string Compute(string signingSecret, string timestamp, ReadOnlySpan<byte> body)
    {
        var head = Encoding.UTF8.GetBytes($"v0:{timestamp}:");
        var data = new byte[head.Length + body.Length];
        head.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(head.Length));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), data);
        return Prefix + Convert.ToHexStringLower(mac);
    }

    public static SignatureCheck Verify(string signingSecret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(signingSecret)) throw new InvalidOperationException("Slack:SigningSecret is not set");
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature)) return SignatureCheck.MissingHeaders;
        if (timestamp.Length > 12 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return SignatureCheck.BadTimestamp;
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > (long)Window.TotalSeconds) return SignatureCheck.Stale;

        var expected = Encoding.ASCII.GetBytes(Compute(signingSecret, timestamp, body));
        // Compare bytes of equal length in constant time; a different length is a mismatch anyway.
        var given = Encoding.UTF8.GetBytes(signature);
        return given.Length == expected.Length && CryptographicOperations.FixedTimeEquals(given, expected)
            ? SignatureCheck.Valid
            : SignatureCheck.Mismatch;
    }
}
