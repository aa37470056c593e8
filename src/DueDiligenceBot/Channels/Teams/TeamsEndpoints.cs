using System.Text.Json;
using DueDiligenceBot.Core;
using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Inbox;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Channels.Teams;

/// <summary>Microsoft Teams through the Bot Framework Connector: <c>POST /api/messages</c>.</summary>
public static class TeamsEndpoints
{
    /// <summary>Teams activities stay well under Teams' ~100 KB message limit; anything bigger is not from Teams.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    public static IServiceCollection AddTeams(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<TeamsOptions>(configuration, TeamsOptions.SectionName);
        services.AddHttpClient(TeamsHttp.MetadataClient, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddHttpClient(TeamsHttp.TokenClient, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddHttpClient(TeamsHttp.ConnectorClient, c => c.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddSingleton<TeamsAuthenticator>();
        services.AddSingleton<ServiceUrlPolicy>();
        services.AddSingleton<BotTokenProvider>();
        services.AddSingleton<BotConnectorClient>();
        services.AddSingleton<TeamsReferenceStore>();
        services.AddSingleton<TeamsTurnQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<TeamsTurnQueue>());
        services.AddSingleton<TeamsBot>();
        services.AddSingleton<IInboxDeliverer, TeamsDeliverer>();
        services.AddSingleton<IReviewCompletedListener, TeamsReviewCompletedListener>();
        return services;
    }

    public static void MapTeams(this WebApplication app) => app.MapPost("/api/messages", PostAsync);

    private static async Task<IResult> PostAsync(HttpRequest request, TeamsAuthenticator authenticator, ServiceUrlPolicy serviceUrls,
        TeamsBot bot, IOptions<TeamsOptions> options, IHostEnvironment environment, ILogger<TeamsBot> logger, CancellationToken ct)
    {
        var o = options.Value;

        // Authenticate before reading anything the body says.
        AuthOutcome token;
        if (o.IsAnonymous)
        {
            if (!environment.IsDevelopment())
                return Refuse(logger, AuthOutcome.Refuse(401, "anonymous mode (Teams:AppId empty) is refused outside Development"));
            token = AuthOutcome.Anonymous;
        }
        else
        {
            token = await authenticator.AuthenticateAsync(request.Headers.Authorization.ToString() is { Length: > 0 } h ? h : null, ct);
            if (!token.Accepted) return Refuse(logger, token);
        }

        var (activity, error) = await ReadActivityAsync(request, ct);
        if (activity is null) return Results.Json(new { error }, statusCode: StatusCodes.Status400BadRequest);

        if (!o.IsAnonymous)
        {
            var checkedActivity = TeamsAuthenticator.CheckActivity(token, activity);
            if (!checkedActivity.Accepted) return Refuse(logger, checkedActivity);
        }
        if (!serviceUrls.IsAllowed(activity.ServiceUrl))
            return Refuse(logger, AuthOutcome.Refuse(403, o.IsAnonymous
                ? "anonymous mode accepts only loopback service URLs"
                : "the serviceUrl's host is not in Teams:AllowedServiceUrlHosts"));
        if (o.AllowedTenantIds.Length > 0 && !o.AllowedTenantIds.Contains(activity.TenantId ?? "", StringComparer.OrdinalIgnoreCase))
            return Refuse(logger, AuthOutcome.Refuse(403, "the tenant is not in Teams:AllowedTenantIds"));

        return await bot.HandleAsync(activity, ct);
    }

    private static IResult Refuse(ILogger logger, AuthOutcome outcome)
    {
        TeamsLog.Refused(logger, outcome.Status, outcome.Reason ?? "refused");
        return Results.StatusCode(outcome.Status);
    }

    private static async Task<(Activity? Activity, string? Error)> ReadActivityAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) return (null, "the body is too large");
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return (null, "the body must be JSON (Content-Type: application/json)");
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes) return (null, "the body is too large");
        }
        if (buffer.Length == 0) return (null, "the body is empty");
        try
        {
            var activity = JsonSerializer.Deserialize<Activity>(buffer.ToArray(), ActivityJson.Options);
            if (activity is null || string.IsNullOrEmpty(activity.Type)) return (null, "the activity has no type");
            return (activity, null);
        }
        catch (JsonException)
        {
            return (null, "the body is not a valid activity");
        }
    }
}
