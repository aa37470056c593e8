using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Knowledge;
using DueDiligenceBot.Security;
using Microsoft.Extensions.Options;

namespace DueDiligenceBot.Operations;

/// <summary>
/// Validates every setting and loads the knowledge files before the host starts, so a mistake is reported
/// as one sentence naming the key or file rather than as a crash.
/// </summary>
public static class StartupChecks
{
    public static string? Problem(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            _ = services.GetRequiredService<KnowledgeFiles>();
            var urls = (services.GetRequiredService<IConfiguration>()["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return AccessExtensions.Problem(services.GetRequiredService<IHostEnvironment>(), services.GetRequiredService<IOptions<ReviewOptions>>().Value, urls);
        }
        catch (OptionsValidationException e) { return string.Join("; ", e.Failures); }
        catch (InvalidOperationException e) when (e.Message.Contains("not found on the instance", StringComparison.Ordinal) || e.Message.Contains("Failed to convert", StringComparison.Ordinal))
        {
            // The configuration binder: an unknown key, or a value of the wrong type.
            return e.Message;
        }
        catch (Exception e) when (e is InvalidDataException or DirectoryNotFoundException) { return e.Message; }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            return string.Join("; ", e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures));
        }
    }
}
