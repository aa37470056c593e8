using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DueDiligenceBot.Tests.Support;

/// <summary>The whole app on a real loopback port (Kestrel), for browsers and real HTTP clients.</summary>
public sealed class LiveServer : IAsyncDisposable
{
    private readonly LiveFactory _factory;

    private LiveServer(LiveFactory factory, Uri address)
    {
        _factory = factory;
        Address = address;
    }

    public Uri Address { get; }
    public string DatabasePath => _factory.DatabasePath;
    public IServiceProvider Services => _factory.Services;

    /// <summary>Every log entry at Warning or above, for tests that assert nothing went wrong inside.</summary>
    public LogCollector Logs => _factory.Logs;

    public static LiveServer Start(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var factory = new LiveFactory(settings, configure);
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.ClientOptions.BaseAddress;
        return new LiveServer(factory, address);
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    private sealed class LiveFactory(IDictionary<string, string?>? settings, Action<IServiceCollection>? configure) : WebApplicationFactory<Program>
    {
        private readonly TempFolder _folder = new();
        public string DatabasePath => _folder.File("live.db");
        public LogCollector Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Storage:SqlitePath", DatabasePath);
            builder.UseSetting("Knowledge:Path", TestPaths.Knowledge);
            builder.UseSetting("urls", "http://127.0.0.1:0");
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<ILoggerProvider>(Logs);
                configure?.Invoke(services);
            });
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            _folder.Dispose();
        }
    }
}
