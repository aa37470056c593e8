using DueDiligenceBot.Core;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Inbox;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DueDiligenceBot.Channels.Slack;

public static class SlackServiceCollectionExtensions
{
    /// <summary>
    /// The Slack channel: options, Web API client, the inbox deliverer of Slack turns, Socket Mode, the
    /// outbound worker and the review-channel listener.
    /// </summary>
    public static IServiceCollection AddSlack(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SlackOptions>(configuration, SlackOptions.SectionName);
        services.AddHttpClient(SlackApiClient.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.TryAddSingleton(new SlackRetryPolicy());
        services.TryAddSingleton(new SlackSocketModeSettings());
        services.AddSingleton<SlackApiClient>();
        services.AddSingleton<SlackStore>();
        services.AddSingleton<SlackWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<SlackWorker>());
        services.AddSingleton<SlackUserNames>();
        services.AddSingleton<SlackInbound>();
        services.AddSingleton<IInboxDeliverer, SlackDeliverer>();
        services.AddSingleton<SlackSocketMode>();
        services.AddHostedService(sp => sp.GetRequiredService<SlackSocketMode>());
        services.AddSingleton<IReviewCompletedListener, SlackReviewListener>();
        return services;
    }
}
