using DueDiligenceBot;
using DueDiligenceBot.Cli;
using DueDiligenceBot.Core;
using DueDiligenceBot.Operations;

if (CliVerbs.IsVerb(args))
    return await CliVerbs.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
    builder.WebHost.UseUrls("http://localhost:3978");

builder.AddOperations();
builder.Services.AddDueDiligenceCore(builder.Configuration);
builder.Services.AddChannels(builder.Configuration);

var app = builder.Build();
app.UseOperations();
app.MapChannelEndpoints();
await app.RunAsync();
return 0;

/// <summary>The app's entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
