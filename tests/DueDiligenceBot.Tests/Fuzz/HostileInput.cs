using System.Text;
using System.Text.Json;

namespace DueDiligenceBot.Tests.Fuzz;

/// <summary>Generates hostile strings and mutates request bodies; deterministic for a seed.</summary>
public sealed class HostileInput(int seed)
{
    private readonly Random _random = new(seed);

    public Random Random => _random;

    private static readonly string[] Nasty =
    [
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "<!channel> <!here> <@U024BE7LH> <https://evil.example|click>",
        "*bold* _it_ ~strike~ `code` [link](javascript:alert(1))", "'; DROP TABLE answers; --", "1' OR '1'='1", "Robert'); DELETE FROM vendors;--",
        "\u0000\u0001\u0007\u001b[31m", "\u202e\u200f\u200b", "😀🏥💉" , "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "%00%0d%0a", "../../etc/passwd", "{{7*7}} ${7*7} @{7*7}",
        "start review ", "change ", "resume ", "memo ", "@handles_phi=", "@=", "@no_such_key=1", "@soc2_criteria=security,,,", "why?", "skip", "back",
        "yes", "no", "unknown", "2026-02-30", "99999999999999999999", "-1", "NaN", "null", "[]", "{}",
    ];

    public string String()
    {
        return _random.Next(10) switch
        {
            0 => new string((char)_random.Next(0x20, 0x7f), _random.Next(0, 9000)),
            1 => string.Concat(Enumerable.Range(0, _random.Next(1, 6)).Select(_ => Nasty[_random.Next(Nasty.Length)])),
            2 => new string(Enumerable.Range(0, _random.Next(1, 200)).Select(_ => (char)_random.Next(0, 0xffff)).Where(c => !char.IsSurrogate(c)).ToArray()),
            3 => "start review " + Nasty[_random.Next(Nasty.Length)],
            4 => "",
            _ => Nasty[_random.Next(Nasty.Length)],
        };
    }

    public object? Value() => _random.Next(8) switch
    {
        0 => null,
        1 => _random.Next(),
        2 => _random.NextDouble() > 0.5,
        3 => new[] { String(), String() },
        4 => new Dictionary<string, object?> { ["x"] = String() },
        _ => String(),
    };

    /// <summary>Turns a JSON body into something broken: truncated, bytes flipped, invalid UTF-8, deeply nested, or garbage.</summary>
    public byte[] Mutate(byte[] body)
    {
        var b = body.ToArray();
        switch (_random.Next(8))
        {
            case 0: return b[..(_random.Next(b.Length + 1))];
            case 1:
                for (var i = 0; i < Math.Max(1, b.Length / 50); i++) b[_random.Next(b.Length)] = (byte)_random.Next(256);
                return b;
            case 2:
                var invalid = new byte[] { 0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0xF0, 0x28, 0x8C, 0xBC, 0xFF, 0xFE };
                var at = _random.Next(b.Length + 1);
                return [.. b[..at], .. invalid, .. b[at..]];
            case 3: return Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000));
            case 4: return Encoding.UTF8.GetBytes("{\"a\":" + new string('{', 200) + new string('}', 200) + "}");
            case 5: return [];
            case 6:
                var garbage = new byte[_random.Next(1, 4096)];
                _random.NextBytes(garbage);
                return garbage;
            default: return Encoding.UTF8.GetBytes("{\"conversationId\":\"c\",\"conversationId\":\"d\",\"userId\":\"\\ud800\",\"userName\":\"x\",\"text\":\"\\udfff\"}");
        }
    }

    public byte[] Json(object body) => JsonSerializer.SerializeToUtf8Bytes(body);
}
