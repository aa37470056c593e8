using System.Text.Json;

namespace DueDiligenceBot.Tests.Channels.Slack;

/// <summary>block_actions payloads as Slack sends them when someone uses an element of a posted message.</summary>
public static class SlackInteractions
{
    public static object BlockActions(SlackCall posted, string blockId, JsonElement element, string user = "U100",
        object? overrides = null, object? state = null)
    {
        var channel = posted.Str("channel")!;
        var actionId = element.GetProperty("action_id").GetString()!;
        var type = element.GetProperty("type").GetString()!;
        var action = new Dictionary<string, object?>
        {
            ["type"] = type,
            ["action_id"] = actionId,
            ["block_id"] = blockId,
            ["action_ts"] = $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Random.Shared.Next(100000, 999999)}",
        };
        if (element.TryGetProperty("value", out var value)) action["value"] = value.GetString();
        if (element.TryGetProperty("text", out var text)) action["text"] = JsonSerializer.Deserialize<object>(text.GetRawText());
        if (overrides is not null)
            foreach (var p in JsonSerializer.SerializeToElement(overrides).EnumerateObject())
                action[p.Name] = JsonSerializer.Deserialize<object>(p.Value.GetRawText());

        return new
        {
            type = "block_actions",
            user = new { id = user, username = "dana", name = "dana", team_id = SlackTestApp.Team },
            api_app_id = "A0001",
            token = "legacy-ignored",
            container = new { type = "message", message_ts = posted.Ts, channel_id = channel, is_ephemeral = false },
            trigger_id = $"{Random.Shared.NextInt64()}.{Random.Shared.NextInt64()}",
            team = new { id = SlackTestApp.Team, domain = "example" },
            enterprise = (object?)null,
            is_enterprise_install = false,
            channel = new { id = channel, name = "directmessage" },
            message = new
            {
                type = "message",
                user = SlackTestApp.BotUser,
                ts = posted.Ts,
                thread_ts = posted.Str("thread_ts"),
                text = posted.Text,
                blocks = JsonSerializer.Deserialize<object>(posted.BlocksJson),
            },
            state = new { values = state ?? new { } },
            response_url = "https://hooks.slack.com/actions/T0001/1/x",
            actions = new[] { action },
        };
    }
}
