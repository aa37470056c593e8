using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DueDiligenceBot.Tests.Support;

/// <summary>The whole app in memory over a real SQLite file of its own.</summary>
public sealed class AppFactory : WebApplicationFactory<Program>
{
    private readonly TempFolder _folder = new();
    private readonly Dictionary<string, string?> _settings;

    public AppFactory(IDictionary<string, string?>? settings = null)
    {
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        DatabasePath = _folder.File("app.db");
    }

    public string DatabasePath { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Storage:SqlitePath", DatabasePath);
        builder.UseSetting("Knowledge:Path", TestPaths.Knowledge);
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }
}
