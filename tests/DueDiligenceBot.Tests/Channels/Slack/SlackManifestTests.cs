using DueDiligenceBot.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace DueDiligenceBot.Tests.Channels.Slack;

public sealed class SlackManifestTests
{
    private static YamlMappingNode Load()
    {
        var path = Path.Combine(TestPaths.RepoRoot, "src", "DueDiligenceBot", "Channels", "Slack", "manifest.yaml");
        var yaml = new YamlStream();
        using var reader = File.OpenText(path);
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (n, key) => ((YamlMappingNode)n).Children[new YamlScalarNode(key)]);

    private static List<string> Strings(YamlNode node) => ((YamlSequenceNode)node).Select(n => ((YamlScalarNode)n).Value!).ToList();

    [Fact]
    public void Manifest_points_at_our_endpoints_with_the_scopes_and_events_the_bot_uses()
    {
        var root = Load();
        Assert.Equal("/api/slack/events", new Uri(At(root, "settings", "event_subscriptions", "request_url").ToString()).AbsolutePath);
        Assert.Equal("/api/slack/interactions", new Uri(At(root, "settings", "interactivity", "request_url").ToString()).AbsolutePath);
        Assert.Equal("true", At(root, "settings", "interactivity", "is_enabled").ToString());
        Assert.Equal(["app_mention", "message.im"], Strings(At(root, "settings", "event_subscriptions", "bot_events")));
        Assert.Equal(["app_mentions:read", "chat:write", "commands", "im:history", "im:read", "im:write", "users:read"],
            Strings(At(root, "oauth_config", "scopes", "bot")));
        var command = (YamlMappingNode)((YamlSequenceNode)At(root, "features", "slash_commands")).Single();
        Assert.Equal("/dd", At(command, "command").ToString());
        Assert.Equal("/api/slack/commands", new Uri(At(command, "url").ToString()).AbsolutePath);
        Assert.Equal("true", At(root, "features", "app_home", "messages_tab_enabled").ToString());
        Assert.Equal("false", At(root, "features", "app_home", "messages_tab_read_only_enabled").ToString());
        Assert.InRange(At(root, "display_information", "name").ToString().Length, 1, 35);
        Assert.InRange(At(root, "display_information", "description").ToString().Length, 1, 140);
    }
}
