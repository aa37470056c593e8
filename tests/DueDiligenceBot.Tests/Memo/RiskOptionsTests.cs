using DueDiligenceBot.Tests.Support;

namespace DueDiligenceBot.Tests.Memo;

/// <summary>The Risk section is checked when the bot starts, not when the first memo is generated.</summary>
public sealed class RiskOptionsTests
{
    private static async Task<string> StartFailsAsync(Dictionary<string, string> settings)
    {
        using var folder = new TempFolder();
        settings["Storage__SqlitePath"] = folder.File("risk.db");
        var (code, output) = await AppProcess.RunToExitAsync(folder.Path, settings);
        Assert.Equal(2, code);
        return output;
    }

    [Fact]
    public async Task A_policy_threshold_out_of_range_stops_the_bot_at_start() =>
        Assert.Contains("Risk:ModerateFlagsForHigh must be between 1 and 30", await StartFailsAsync(new() { ["Risk__ModerateFlagsForHigh"] = "0" }));

    [Fact]
    public async Task A_misspelt_policy_key_stops_the_bot_at_start_naming_it() =>
        Assert.Contains("StaleReportMonth", await StartFailsAsync(new() { ["Risk__StaleReportMonth"] = "18" }));
}
