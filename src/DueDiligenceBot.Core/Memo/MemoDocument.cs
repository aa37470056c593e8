using System.Text.Json.Serialization;

namespace DueDiligenceBot.Core.Memo;

/// <summary>
/// One risk memo, rendered as Markdown, HTML, JSON and DOCX. Everything a renderer shows is here, already
/// decided: renderers format, they never compute. Stored as JSON per memo version.
/// </summary>
public sealed record MemoDocument
{
    public required string Vendor { get; init; }
    public required DateOnly AsOf { get; init; }
    public int? ReviewNumber { get; init; }
    public int? Version { get; init; }
    /// <summary>in_progress, complete, or import (an assessed file, not stored).</summary>
    public required string ReviewStatus { get; init; }
    public string? Service { get; init; }
    public required IReadOnlyList<ProfileLine> Profile { get; init; }
    public required IReadOnlyList<string> Contributors { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<Rating>))]
    public required Rating Rating { get; init; }
    public required string Recommendation { get; init; }
    public required IReadOnlyList<string> RatingReasons { get; init; }
    public required string Summary { get; init; }
    /// <summary>rules (the deterministic summary) or model (a checked narrative).</summary>
    public string SummarySource { get; init; } = "rules";

    public required IReadOnlyList<MemoGapGroup> Findings { get; init; }
    public required IReadOnlyList<CoverageTable> Coverage { get; init; }
    public required CrosswalkAnalysis Crosswalk { get; init; }
    public required IReadOnlyList<OpenItem> Open { get; init; }
    public required IReadOnlyList<DueDate> Dates { get; init; }
    public MemoChanges? Changes { get; init; }
    public required string FollowUpMessage { get; init; }
    public required IReadOnlyList<AppendixRow> Appendix { get; init; }
    public required string GeneratedAt { get; init; }

    [JsonIgnore]
    public IEnumerable<MemoFinding> AllFindings => Findings.SelectMany(g => g.Findings);
}

public sealed record ProfileLine(string Label, string Value);

public sealed record MemoCitation(
    [property: JsonConverter(typeof(JsonStringEnumConverter<CitationKind>))] CitationKind Kind,
    string Id, string Title, string? Url);

/// <summary>One answer a finding rests on, with who gave it, when and where.</summary>
public sealed record MemoEvidence(string Key, string Question, string Answer, string By, string Channel, string? At);

public sealed record MemoFinding(
    string Id,
    [property: JsonConverter(typeof(JsonStringEnumConverter<FlagWeight>))] FlagWeight Severity,
    string Title,
    string WhyItMatters,
    IReadOnlyList<MemoEvidence> Evidence,
    string FollowUp,
    [property: JsonConverter(typeof(JsonStringEnumConverter<FollowUpAudience>))] FollowUpAudience Audience,
    IReadOnlyList<MemoCitation> Citations);

public sealed record MemoGapGroup(
    [property: JsonConverter(typeof(JsonStringEnumConverter<StructuralGap>))] StructuralGap Gap,
    string Title,
    MemoCitation? Note,
    IReadOnlyList<MemoFinding> Findings);

/// <summary>A coverage line: what was asked, the answer, and what the rules made of it.</summary>
public sealed record CoverageRow(string Item, string Answer, string Assessment, bool Flagged);

public sealed record CoverageTable(string Title, IReadOnlyList<CoverageRow> Rows, string? Note);

public sealed record CrosswalkLine(string Citation, string Title, string Kind, IReadOnlyList<string> InScope, IReadOnlyList<string> Missing, string Comment);

public sealed record CrosswalkAnalysis(
    bool Applies,
    string Summary,
    IReadOnlyList<string> CategoriesInScope,
    int Evidenced,
    IReadOnlyList<CrosswalkLine> NotEvidenced,
    IReadOnlyList<CrosswalkLine> PartlyEvidenced,
    IReadOnlyList<CrosswalkLine> HipaaOnly);

/// <summary>A question without a usable answer: not answered, skipped or "unknown".</summary>
public sealed record OpenItem(string Key, int? Number, string Question, string Status, string? Detail);

public enum DueStatus { Overdue, DueSoon, Later }

public sealed record DueDate(
    DateOnly Date, string What, string Action,
    [property: JsonConverter(typeof(JsonStringEnumConverter<DueStatus>))] DueStatus Status);

public sealed record AnswerChange(string Key, string Question, string Before, string After);

public sealed record MemoChanges(
    int PreviousReviewNumber,
    DateOnly PreviousAsOf,
    [property: JsonConverter(typeof(JsonStringEnumConverter<Rating>))] Rating PreviousRating,
    string? PreviousDecision,
    IReadOnlyList<string> FlagsAdded,
    IReadOnlyList<string> FlagsRemoved,
    IReadOnlyList<AnswerChange> AnswersChanged);

/// <summary>One current answer with its provenance; <see cref="Earlier"/> lists the answers it replaced, oldest first.</summary>
public sealed record AppendixRow(int? Number, string Section, string Key, string Question, string Answer, string By, string Channel, string? At, string? Earlier = null);
