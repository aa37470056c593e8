namespace DueDiligenceBot.Core.Memo;

/// <summary>Flag weight: informational, moderate, high, critical (I/M/H/C in risk-rules.md).</summary>
public enum FlagWeight { Informational, Moderate, High, Critical }

/// <summary>The overall rating, lowest first.</summary>
public enum Rating { Low, Moderate, High, Critical }

/// <summary>The structural gap a flag points at; findings are grouped by it.</summary>
public enum StructuralGap
{
    ScopeElection,
    SubprocessorChain,
    PersonalDevices,
    HumanFactor,
    TimeGap,
    EvidenceQuality,
    Contract,
    TechnicalControls,
}

/// <summary>Something a flag is grounded in: a curated note, a regulation or a SOC 2 criterion.</summary>
public enum CitationKind { Note, Regulation, Criterion }

public sealed record RuleCitation(CitationKind Kind, string Id);

/// <summary>A raised flag: which rule, how heavy, and the answer keys it was decided on.</summary>
public sealed record RaisedFlag(FlagDefinition Definition, FlagWeight Weight, IReadOnlyList<string> EvidenceKeys)
{
    public string Id => Definition.Id;
}

/// <summary>Why a question counts as open in the memo.</summary>
public enum OpenReason { Unanswered, Unknown }

public sealed record OpenKey(string Key, OpenReason Reason);

/// <summary>The result of the rules: flags, rating with the clauses that decided it, and the open keys.</summary>
public sealed record RiskAssessment(
    DateOnly AsOf,
    IReadOnlyList<RaisedFlag> Flags,
    Rating Rating,
    IReadOnlyList<string> RatingReasons,
    IReadOnlyList<OpenKey> Open)
{
    public bool Has(string flagId) => Flags.Any(f => f.Id == flagId);
    public IEnumerable<string> FlagIds => Flags.Select(f => f.Id);
}

public static class RatingText
{
    public static string Id(this Rating r) => r.ToString().ToLowerInvariant();
    public static string Id(this FlagWeight w) => w.ToString().ToLowerInvariant();
    public static string Letter(this FlagWeight w) => w switch
    {
        FlagWeight.Informational => "I",
        FlagWeight.Moderate => "M",
        FlagWeight.High => "H",
        _ => "C",
    };

    public static string Title(this StructuralGap g) => g switch
    {
        StructuralGap.ScopeElection => "Scope election: what the vendor chose to have audited",
        StructuralGap.SubprocessorChain => "Subprocessor chain: who else touches the data",
        StructuralGap.PersonalDevices => "Personal devices and shadow IT",
        StructuralGap.HumanFactor => "Human factor",
        StructuralGap.TimeGap => "Time gap: how old the evidence is",
        StructuralGap.EvidenceQuality => "Evidence quality",
        StructuralGap.Contract => "Contract (BAA)",
        _ => "Technical and operational controls",
    };

    public static string NoteId(this StructuralGap g) => g switch
    {
        StructuralGap.ScopeElection => "gap-scope-election",
        StructuralGap.SubprocessorChain => "gap-subprocessors",
        StructuralGap.PersonalDevices => "gap-personal-devices",
        StructuralGap.HumanFactor => "gap-human-factor",
        StructuralGap.TimeGap => "gap-time",
        _ => "",
    };
}
