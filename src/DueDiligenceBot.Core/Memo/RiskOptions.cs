using System.ComponentModel.DataAnnotations;

namespace DueDiligenceBot.Core.Memo;

/// <summary>The policy thresholds of shared/spec/risk-rules.md; everything else in the rules follows the frameworks.</summary>
public sealed class RiskOptions
{
    public const string SectionName = "Risk";

    /// <summary>A Type II period shorter than this many months is <c>short_period</c>.</summary>
    [Range(1, 24, ErrorMessage = "Risk:ShortPeriodMonths must be between 1 and 24")]
    public int ShortPeriodMonths { get; set; } = 6;

    /// <summary>A SOC 2 period end older than this many months is <c>stale_report</c>.</summary>
    [Range(1, 60, ErrorMessage = "Risk:StaleReportMonths must be between 1 and 60")]
    public int StaleReportMonths { get; set; } = 12;

    /// <summary>A SOC 2 period end older than this many months needs a bridge letter.</summary>
    [Range(0, 60, ErrorMessage = "Risk:BridgeLetterMonths must be between 0 and 60")]
    public int BridgeLetterMonths { get; set; } = 3;

    /// <summary>A HIPAA risk analysis older than this many months is <c>stale_risk_analysis</c>.</summary>
    [Range(1, 60, ErrorMessage = "Risk:StaleRiskAnalysisMonths must be between 1 and 60")]
    public int StaleRiskAnalysisMonths { get; set; } = 12;

    /// <summary>This many moderate flags or more make the rating high.</summary>
    [Range(1, 30, ErrorMessage = "Risk:ModerateFlagsForHigh must be between 1 and 30")]
    public int ModerateFlagsForHigh { get; set; } = 3;
}
