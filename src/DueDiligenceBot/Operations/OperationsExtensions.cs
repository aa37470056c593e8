using System.Data.Common;
using System.Threading.RateLimiting;
using Dapper;
using DueDiligenceBot.Core;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Knowledge;
using DueDiligenceBot.Core.Storage;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Operations;

/// <summary>Health, correlation ids, JSON logs, request limits and graceful shutdown.</summary>
public static class OperationsExtensions
{
    public const string CorrelationHeader = "X-Correlation-Id";
    public const string ApiRateLimitPolicy = "api";

    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        // Structured JSON logs with scopes (correlation id, channel) everywhere but on a developer's console.
        if (!builder.Environment.IsDevelopment())
            builder.Logging.AddJsonConsole(o => { o.IncludeScopes = true; o.UseUtcTimestamp = true; o.TimestampFormat = "O"; });

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.Limits.MaxRequestBodySize = 1024 * 1024;
            o.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            o.AddServerHeader = false;
        });
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(ApiRateLimitPolicy, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<ReviewOptions>>().Value.ApiRequestsPerMinutePerClient;
                return RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, perMinute / 6),
                    TokensPerPeriod = Math.Max(1, perMinute / 6),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(10),
                    QueueLimit = 0,
                });
            });
        });
        return builder;
    }

    public static WebApplication UseOperations(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var id = context.Request.Headers[CorrelationHeader].ToString();
            if (id.Length is 0 or > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) id = Guid.NewGuid().ToString("N")[..16];
            context.TraceIdentifier = id;
            context.Response.Headers[CorrelationHeader] = id;
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DueDiligenceBot.Requests");
            using (logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = id }))
                await next(context);
        });
        app.UseRateLimiter();
        app.MapGet("/healthz", (StartupState startup) => startup.IsReady
            ? Results.Json(new { status = "alive" })
            : Results.Json(new { status = "starting" }, statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/readyz", ReadyAsync);
        return app;
    }

    private static async Task<IResult> ReadyAsync(StartupState startup, IDbConnectionFactory db, IKnowledgeBase knowledge, CancellationToken ct)
    {
        if (!startup.IsReady) return Results.Json(new { status = "starting" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        try
        {
            await using DbConnection connection = await db.OpenAsync(ct);
            await connection.ExecuteScalarAsync<int>("SELECT 1");
        }
        catch (Exception e) when (e is DbException or TimeoutException or InvalidOperationException)
        {
            return Results.Json(new { status = "database unavailable" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        return Results.Json(new { status = "ready", notes = knowledge.Notes.Count });
    }
}
