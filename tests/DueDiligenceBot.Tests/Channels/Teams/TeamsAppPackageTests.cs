using System.IO.Compression;
using System.Text.Json.Nodes;
using DueDiligenceBot.Channels.Teams;

namespace DueDiligenceBot.Tests.Channels.Teams;

public sealed class TeamsAppPackageTests
{
    private const string AppId = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";

    private static async Task<string> BuildAsync(string folder)
    {
        var zip = Path.Combine(folder, "teams-app.zip");
        var stdout = new StringWriter();
        var code = await TeamsAppPackage.RunVerbAsync(["teams-package", zip, "--app-id", AppId, "--base-url", "https://ddbot.example.com"], stdout);
        Assert.Equal(0, code);
        Assert.Equal(zip, stdout.ToString().Trim());
        return zip;
    }

    [Fact]
    public async Task The_package_holds_the_manifest_and_both_icons_at_its_root()
    {
        using var folder = new Support.TempFolder();
        using var zip = ZipFile.OpenRead(await BuildAsync(folder.Path));
        Assert.Equal(["color.png", "manifest.json", "outline.png"], zip.Entries.Select(e => e.FullName).Order().ToArray());
        var manifest = JsonNode.Parse(zip.GetEntry("manifest.json")!.Open())!;
        Assert.Equal(AppId, manifest["id"]!.GetValue<string>());
        Assert.Equal(AppId, manifest["bots"]![0]!["botId"]!.GetValue<string>());
        Assert.Equal(["personal", "team", "groupChat"], manifest["bots"]![0]!["scopes"]!.AsArray().Select(s => s!.GetValue<string>()).ToArray());
        Assert.Equal("ddbot.example.com", manifest["validDomains"]![0]!.GetValue<string>());
        Assert.Equal((192, 192), PngSize(zip.GetEntry("color.png")!));
        Assert.Equal((32, 32), PngSize(zip.GetEntry("outline.png")!));
    }

    [NodeFact]
    public async Task The_manifest_validates_against_the_schema_of_the_version_it_declares()
    {
        using var folder = new Support.TempFolder();
        using (var zip = ZipFile.OpenRead(await BuildAsync(folder.Path)))
            zip.GetEntry("manifest.json")!.ExtractToFile(Path.Combine(folder.Path, "manifest.json"));
        var result = JsonNode.Parse(await NodeTools.RunAsync("validate-manifest.js", Path.Combine(folder.Path, "manifest.json")))!;
        Assert.Equal("1.25", result["version"]!.GetValue<string>());
        Assert.Empty(result["errors"]!.AsArray());
    }

    [Theory]
    [InlineData("not-a-guid", "https://ddbot.example.com", "GUID")]
    [InlineData(AppId, "http://ddbot.example.com", "https")]
    public async Task Bad_inputs_exit_2_with_a_message(string appId, string baseUrl, string expected)
    {
        Assert.Contains(expected, TeamsAppPackage.Problem(appId, baseUrl));
        Assert.Equal(2, await TeamsAppPackage.RunVerbAsync(["teams-package", "out.zip", "--app-id", appId, "--base-url", baseUrl], new StringWriter()));
    }

    private static (int, int) PngSize(ZipArchiveEntry entry)
    {
        using var s = entry.Open();
        var header = new byte[24];
        s.ReadExactly(header);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], header[..4]);
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20)));
    }
}
