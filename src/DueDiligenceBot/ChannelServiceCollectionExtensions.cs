using DueDiligenceBot.Channels.Slack;
using DueDiligenceBot.Channels.Teams;
using DueDiligenceBot.Channels.WebChat;
using DueDiligenceBot.Knowledge;
using DueDiligenceBot.Review;

namespace DueDiligenceBot;

public static class ChannelServiceCollectionExtensions
{
    public static IServiceCollection AddChannels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTeams(configuration);
        // The decision forms on the review pages post with an antiforgery token (cookie + hidden field).
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "ddbot.af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__af";
        });
        services.AddSlack(configuration);
        return services;
    }

    public static WebApplication MapChannelEndpoints(this WebApplication app)
    {
        app.MapWebChat();
        app.MapTeams();
        app.MapSlack();
        app.MapAsk();
        app.MapReview();
        return app;
    }
}
