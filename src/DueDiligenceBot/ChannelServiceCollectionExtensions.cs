using DueDiligenceBot.Channels.WebChat;

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
        return app;
    }
}
