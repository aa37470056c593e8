using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

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

    public static LiveServer Start(IDictionary<string, string?>? settings = null)
    {
        var factory = new LiveFactory(settings);
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.ClientOptions.BaseAddress;
        return new LiveServer(factory, address);
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    private sealed class LiveFactory(IDictionary<string, string?>? settings) : WebApplicationFactory<Program>
    {
        private readonly TempFolder _folder = new();
        public string DatabasePath => _folder.File("live.db");

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("Storage:SqlitePath", DatabasePath);
            builder.UseSetting("Knowledge:Path", TestPaths.Knowledge);
            builder.UseSetting("urls", "http://127.0.0.1:0");
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            _folder.Dispose();
        }
    }
}
