using DueDiligenceBot.Core;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DueDiligenceBot.Tests.Support;

/// <summary>
/// The conversation engine over a real SQLite file and the real knowledge folder, driven like a chat:
/// <c>await bot.Send("start review Acme")</c>. <see cref="RestartAsync"/> builds a new engine on the same file.
/// </summary>
public sealed class BotHarness : IAsyncDisposable
{
    private readonly TempFolder? _ownedFolder;
    private readonly Action<IServiceCollection>? _configure;
    private readonly Dictionary<string, string?> _settings;
    private ServiceProvider _services;
    private readonly List<IHostedService> _started = [];

    private BotHarness(string databasePath, TempFolder? owned, Action<IServiceCollection>? configure, Dictionary<string, string?> settings, bool runInboxWorkers)
    {
        RunInboxWorkers = runInboxWorkers;
        DatabasePath = databasePath;
        _ownedFolder = owned;
        _configure = configure;
        _settings = settings;
        _services = Build();
    }

    public string DatabasePath { get; }
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 15, 0, 0, TimeSpan.Zero));
    public IServiceProvider Services => _services;
    public IConversationEngine Engine => _services.GetRequiredService<IConversationEngine>();
    public IDbConnectionFactory Db => _services.GetRequiredService<IDbConnectionFactory>();

    public static async Task<BotHarness> StartAsync(string? databasePath = null, Action<IServiceCollection>? configure = null,
        IDictionary<string, string?>? settings = null, bool runInboxWorkers = false)
    {
        TempFolder? folder = null;
        if (databasePath is null)
        {
            folder = new TempFolder();
            databasePath = folder.File("bot.db");
        }
        var harness = new BotHarness(databasePath, folder, configure, new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()), runInboxWorkers);
        await harness.InitializeAsync();
        return harness;
    }

    private ServiceProvider Build()
    {
        var settings = new Dictionary<string, string?>(_settings)
        {
            ["Storage:SqlitePath"] = DatabasePath,
            ["Knowledge:Path"] = TestPaths.Knowledge,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddDueDiligenceCore(configuration);
        services.AddSingleton<TimeProvider>(Clock);
        _configure?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Starts the hosted services (migrations, knowledge; the inbox workers only when asked for).</summary>
    private async Task InitializeAsync()
    {
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            if (hosted is Core.Inbox.InboxWorker && !RunInboxWorkers) continue;
            await hosted.StartAsync(CancellationToken.None);
            _started.Add(hosted);
        }
    }

    private async Task StopAsync()
    {
        foreach (var hosted in Enumerable.Reverse(_started))
            await hosted.StopAsync(CancellationToken.None);
        _started.Clear();
    }

    /// <summary>Whether the background inbox workers run; tests that step the worker by hand leave it off.</summary>
    public bool RunInboxWorkers { get; }

    public Task<Replies> Send(string text, string user = "dana", string conversation = "chat-1", string channel = "test") =>
        Deliver(new IncomingMessage(channel, conversation, user, Capitalize(user), text));

    public Task<Replies> Click(string value, string user = "dana", string conversation = "chat-1", string channel = "test") =>
        Deliver(new IncomingMessage(channel, conversation, user, Capitalize(user), null, value));

    private async Task<Replies> Deliver(IncomingMessage message) => new(await Engine.HandleAsync(message));

    public async Task RestartAsync()
    {
        await StopAsync();
        await _services.DisposeAsync();
        _services = Build();
        await InitializeAsync();
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _services.DisposeAsync();
        _ownedFolder?.Dispose();
    }
}

/// <summary>The replies to one message, with the helpers transcript-style tests need.</summary>
public sealed class Replies(IReadOnlyList<BotReply> all)
{
    public IReadOnlyList<BotReply> All { get; } = all;
    public string Text => string.Join("\n\n", All.Select(r => r.Text));
    public BotReply Last => All[^1];
    public QuestionPrompt? Question => All.LastOrDefault(r => r.Question is not null)?.Question;
    public override string ToString() => Text;
}
