using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using DueDiligenceBot.Cli;

namespace DueDiligenceBot.Channels.Teams;

/// <summary>
/// The Teams app package: <c>manifest.json</c> (schema 1.25) and the colour and outline icons at the root of a
/// zip, with the bot's app id and the public host filled in. Build it with
/// <c>dotnet run --project src/DueDiligenceBot -- teams-package OUT.zip [--app-id GUID] [--base-url https://HOST]</c>;
/// the defaults come from <c>Teams:AppId</c> and <c>Review:PublicBaseUrl</c> (environment: <c>Teams__AppId</c>, <c>Review__PublicBaseUrl</c>).
/// </summary>
public static class TeamsAppPackage
{
    public static readonly string[] Files = ["manifest.json", "color.png", "outline.png"];

    public static string Manifest(string appId, Uri publicBaseUrl)
    {
        var baseUrl = publicBaseUrl.GetLeftPart(UriPartial.Authority) + publicBaseUrl.AbsolutePath.TrimEnd('/');
        return Resource("manifest.json")
            .Replace("{{AppId}}", JsonEncoded(appId), StringComparison.Ordinal)
            .Replace("{{PublicBaseUrl}}", JsonEncoded(baseUrl), StringComparison.Ordinal)
            .Replace("{{Domain}}", JsonEncoded(publicBaseUrl.Authority), StringComparison.Ordinal);
    }

    public static void Build(string appId, Uri publicBaseUrl, Stream output)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var name in Files)
        {
            var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
            using var target = entry.Open();
            if (name == "manifest.json")
            {
                using var writer = new StreamWriter(target);
                writer.Write(Manifest(appId, publicBaseUrl));
            }
            else
            {
                using var source = Open(name);
                source.CopyTo(target);
            }
        }
    }

    /// <summary>Problems with the inputs, in words a person can act on; null when the package can be built.</summary>
    public static string? Problem(string? appId, string? publicBaseUrl)
    {
        if (!Guid.TryParse(appId, out _))
            return $"the app id must be the Azure Bot's Microsoft App ID (a GUID): pass --app-id or set Teams__AppId (got '{appId}')";
        if (!Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var u) || u.Scheme != Uri.UriSchemeHttps)
            return $"the public base URL must be the bot's https address: pass --base-url or set Review__PublicBaseUrl (got '{publicBaseUrl}')";
        return null;
    }

    public const string Verb = "teams-package";

    public static bool IsVerb(string[] args) => args.Length > 0 && args[0] == Verb;

    /// <summary>
    /// The <c>teams-package</c> CLI verb. It needs neither the database nor the knowledge folder, so it runs
    /// before the host is built: configuration from appsettings.json and the environment only.
    /// </summary>
    public static async Task<int> RunVerbAsync(string[] args, TextWriter? stdout = null)
    {
        stdout ??= Console.Out;
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        args = args[1..];
        string? output = null, appId = configuration["Teams:AppId"], baseUrl = configuration["Review:PublicBaseUrl"];
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--app-id" when i + 1 < args.Length: appId = args[++i]; break;
                case "--base-url" when i + 1 < args.Length: baseUrl = args[++i]; break;
                default:
                    if (output is null && !args[i].StartsWith("--", StringComparison.Ordinal)) output = args[i];
                    else
                    {
                        await Console.Error.WriteLineAsync($"unexpected argument '{args[i]}'. Usage: teams-package OUT.zip [--app-id GUID] [--base-url https://HOST]");
                        return CliVerbs.BadInput;
                    }
                    break;
            }
        }
        if (output is null)
        {
            await Console.Error.WriteLineAsync("usage: teams-package OUT.zip [--app-id GUID] [--base-url https://HOST]");
            return CliVerbs.BadInput;
        }
        if (Problem(appId, baseUrl) is { } problem)
        {
            await Console.Error.WriteLineAsync(problem);
            return CliVerbs.BadInput;
        }
        var full = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await using (var file = File.Create(full))
            Build(appId!, new Uri(baseUrl!), file);
        await stdout.WriteLineAsync(full);
        return CliVerbs.Ok;
    }

    private static string JsonEncoded(string s) => JsonSerializer.Serialize(s)[1..^1];

    private static Stream Open(string name) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream($"DueDiligenceBot.Channels.Teams.AppPackage.{name}")
        ?? throw new InvalidOperationException($"the app package file {name} is not embedded");

    private static string Resource(string name)
    {
        using var reader = new StreamReader(Open(name));
        return reader.ReadToEnd();
    }
}
