using DueDiligenceBot.Core.Conversation;

namespace DueDiligenceBot.Cli;

/// <summary><c>chat</c>: the conversation in the terminal, one line per message.</summary>
public static class ChatVerb
{
    public const string ChannelName = "terminal";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextReader stdin, TextWriter stdout, CancellationToken ct)
    {
        var engine = services.GetRequiredService<IConversationEngine>();
        var user = Environment.UserName is { Length: > 0 } u ? u : "terminal";
        var name = args.Length >= 2 && args[0] == "--as" ? args[1] : user;
        var conversation = $"{Environment.MachineName}:{name}";
        await stdout.WriteLineAsync("DueDiligenceBot — type 'help' for what I can do, 'quit' to leave.");
        while (!ct.IsCancellationRequested)
        {
            await stdout.WriteAsync("you> ");
            await stdout.FlushAsync(ct);
            var line = await stdin.ReadLineAsync(ct);
            if (line is null) break;
            if (line.Trim() is "quit" or "exit") break;
            if (line.Trim().Length == 0) continue;
            var replies = await engine.HandleAsync(new IncomingMessage(ChannelName, conversation, name, name, line), ct);
            foreach (var reply in replies)
            {
                await stdout.WriteLineAsync();
                await stdout.WriteLineAsync(reply.Text);
                foreach (var c in reply.Citations)
                    await stdout.WriteLineAsync($"  [{c.Number}] {c.Title} — {c.Section} ({c.Source}{(c.Url is null ? "" : ", " + c.Url)})");
                if (reply.Link is { } link) await stdout.WriteLineAsync($"  → {link}");
            }
            await stdout.WriteLineAsync();
        }
        return CliVerbs.Ok;
    }
}
