using DueDiligenceBot.Channels.Slack;

namespace DueDiligenceBot.Tests.Channels.Slack;

public sealed class SlackCommandTests
{
    [Theory]
    [InlineData("", "help", false)]
    [InlineData("help", "help", false)]
    [InlineData("HELP", "help", false)]
    [InlineData("review Acme Health", "start review Acme Health", true)]
    [InlineData("Review   Acme Health ", "start review Acme Health", true)]
    [InlineData("resume Acme Health", "resume Acme Health", true)]
    [InlineData("memo Acme Health", "memo Acme Health", false)]
    [InlineData("what is a bridge letter", "what is a bridge letter", false)]
    [InlineData("review", "review", false)]
    [InlineData("help me understand SOC 2", "help me understand SOC 2", false)]
    public void Slash_command_text_becomes_what_the_engine_reads(string text, string expected, bool inDirectMessage)
    {
        var (engineText, openDm, ack) = SlackInbound.Subcommand(text.Trim());
        Assert.Equal(expected, engineText);
        Assert.Equal(inDirectMessage, openDm);
        Assert.Equal(inDirectMessage, ack is not null);
    }
}
