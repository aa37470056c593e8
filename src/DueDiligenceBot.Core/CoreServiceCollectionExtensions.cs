using DueDiligenceBot.Core.Checklist;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Inbox;
using DueDiligenceBot.Core.Knowledge;
using DueDiligenceBot.Core.Llm;
using DueDiligenceBot.Core.Memo;
using DueDiligenceBot.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>Storage, knowledge and the conversation engine, configured from <paramref name="configuration"/> and validated at start.</summary>
    public static IServiceCollection AddDueDiligenceCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StorageOptions>(configuration, StorageOptions.SectionName);
        services.AddValidatedOptions<KnowledgeOptions>(configuration, KnowledgeOptions.SectionName);
        services.AddValidatedOptions<ReviewOptions>(configuration, ReviewOptions.SectionName);
        services.AddValidatedOptions<LlmOptions>(configuration, LlmOptions.SectionName);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IDbConnectionFactory>(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value switch
        {
            { Provider: "Postgres" } o => new PostgresConnectionFactory(o.ConnectionString!),
            var o => new SqliteConnectionFactory(o.SqlitePath),
        });
        services.AddSingleton<Migrator>();
        services.AddSingleton<KnowledgeFiles>();
        services.AddSingleton(sp => sp.GetRequiredService<KnowledgeFiles>().Checklist);
        // The model path exists only when a provider is configured; offline answers are the default.
        if (Enum.TryParse<LlmProvider>(configuration[$"{LlmOptions.SectionName}:Provider"], ignoreCase: true, out var provider) && provider != LlmProvider.None)
        {
            services.AddSingleton<ModelClient>();
            services.AddSingleton<IAnswerWriter, SemanticKernelAnswerWriter>();
            services.AddSingleton<IMemoNarrator, SemanticKernelMemoNarrator>();
        }
        services.AddSingleton<IKnowledgeBase, NotesKnowledgeBase>();
        services.AddSingleton<UserTurnLimiter>();
        services.AddSingleton<IConversationEngine, ConversationEngine>();
        services.AddMemo(configuration);
        services.AddSingleton<StartupState>();
        services.AddHostedService<CoreStartup>();
        services.AddSingleton<InboxSignal>();
        services.AddSingleton<EventInbox>();
        services.AddSingleton<InboxWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<InboxWorker>());
        return services;
    }

    /// <summary>The risk rules, memo generation and versioning; the memo is what <c>IReviewMemo</c> gives the conversation.</summary>
    private static IServiceCollection AddMemo(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<RiskOptions>(configuration, RiskOptions.SectionName);
        services.TryAddSingleton<IMemoNarrator, RulesOnlyNarrator>();
        services.AddSingleton(sp =>
        {
            var files = sp.GetRequiredService<KnowledgeFiles>();
            var knowledge = sp.GetRequiredService<IKnowledgeBase>();
            var crosswalkPath = Path.Combine(files.Folder, "crosswalk.csv");
            var crosswalk = File.Exists(crosswalkPath) ? CrosswalkTable.Load(crosswalkPath) : CrosswalkTable.Empty;
            return new MemoBuilder(files.Checklist, knowledge.FindNote, crosswalk,
                sp.GetRequiredService<IOptions<RiskOptions>>().Value, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<ReviewMemoService>();
        services.AddSingleton<IReviewMemo>(sp => sp.GetRequiredService<ReviewMemoService>());
        return services;
    }

    /// <summary>
    /// Binds a section so that unknown keys and wrong types fail at start with the key's name, and runs the
    /// options' own validation at start too.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class
    {
        return services.AddOptions<T>()
            .Bind(configuration.GetSection(section), o => o.ErrorOnUnknownConfiguration = true)
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }
}

/// <summary>Migrates the database and loads the knowledge files before the app takes traffic.</summary>
internal sealed class CoreStartup(Migrator migrator, KnowledgeFiles knowledge, IKnowledgeBase knowledgeBase, StartupState state) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await migrator.MigrateAsync(cancellationToken);
        _ = knowledge.Checklist;
        _ = knowledgeBase.Notes;
        state.MarkReady();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Whether start-up work (migrations, knowledge) has finished; read by the health endpoint.</summary>
public sealed class StartupState
{
    private volatile bool _ready;
    public bool IsReady => _ready;
    public void MarkReady() => _ready = true;
}
