using System.Data.Common;
using Dapper;
using DueDiligenceBot.Channels.WebChat;
using DueDiligenceBot.Knowledge;
using DueDiligenceBot.Core;
using DueDiligenceBot.Core.Knowledge;
using DueDiligenceBot.Core.Storage;

namespace DueDiligenceBot;

public static class ChannelServiceCollectionExtensions
{
    public static IServiceCollection AddChannels(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = 1024 * 1024);
        return services;
    }

    public static WebApplication MapChannelEndpoints(this WebApplication app)
    {
        app.MapWebChat();
        app.MapAsk();
        app.MapGet("/healthz", HealthAsync);
        return app;
    }

    private static async Task<IResult> HealthAsync(StartupState startup, IDbConnectionFactory db, IKnowledgeBase knowledge, CancellationToken ct)
    {
        if (!startup.IsReady) return Results.Json(new { status = "starting" }, statusCode: 503);
        try
        {
            await using DbConnection connection = await db.OpenAsync(ct);
            await connection.ExecuteScalarAsync<int>("SELECT 1");
        }
        catch (DbException)
        {
            return Results.Json(new { status = "database unavailable" }, statusCode: 503);
        }
        return Results.Json(new { status = "ok", notes = knowledge.Notes.Count });
    }
}
