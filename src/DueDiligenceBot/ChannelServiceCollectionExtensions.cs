using DueDiligenceBot.Channels.WebChat;
using DueDiligenceBot.Knowledge;

namespace DueDiligenceBot;

public static class ChannelServiceCollectionExtensions
{
    public static IServiceCollection AddChannels(this IServiceCollection services, IConfiguration configuration)
    {
        _ = configuration;
        return services;
    }

    public static WebApplication MapChannelEndpoints(this WebApplication app)
    {
        app.MapWebChat();
        app.MapAsk();
        return app;
    }
}
