using DueDiligenceBot;
using DueDiligenceBot.Cli;
using DueDiligenceBot.Core;
using DueDiligenceBot.Operations;
using DueDiligenceBot.Security;

if (DueDiligenceBot.Channels.Teams.TeamsAppPackage.IsVerb(args))
    return await DueDiligenceBot.Channels.Teams.TeamsAppPackage.RunVerbAsync(args);
if (CliVerbs.IsVerb(args))
    return await CliVerbs.RunAsync(args);

// Settings are validated once, at start, so they are not reloaded when a file changes. Reloading would also
// put a recursive file watcher on the working directory, which then wakes on every write to the SQLite file.
var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
    builder.WebHost.UseUrls("http://localhost:3978");

builder.AddOperations();
builder.AddAccess();
builder.Services.AddDueDiligenceCore(builder.Configuration);
builder.Services.AddChannels(builder.Configuration);

var app = builder.Build();
if (StartupChecks.Problem(app.Services) is { } problem)
{
    // A bad setting or knowledge file: say which, without a stack trace, and exit 2.
    await Console.Error.WriteLineAsync($"DueDiligenceBot cannot start: {problem}");
    return 2;
}
app.UseOperations();
app.UseAuthentication();
app.UseAuthorization();
app.MapChannelEndpoints();
await app.RunAsync();
return 0;

/// <summary>The app's entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
