using System.ComponentModel.DataAnnotations;

namespace DueDiligenceBot.Core.Storage;

public sealed class StorageOptions : IValidatableObject
{
    public const string SectionName = "Storage";

    /// <summary><c>Sqlite</c> (default) or <c>Postgres</c>.</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>The SQLite database file, relative to the working directory; created on first run.</summary>
    public string SqlitePath { get; set; } = "data/duediligence.db";

    /// <summary>The PostgreSQL connection string (Npgsql format); required when Provider is Postgres.</summary>
    public string? ConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (Provider is not ("Sqlite" or "Postgres"))
            yield return new ValidationResult($"Storage:Provider is '{Provider}'; accepted: Sqlite, Postgres", [nameof(Provider)]);
        if (Provider == "Sqlite" && string.IsNullOrWhiteSpace(SqlitePath))
            yield return new ValidationResult("Storage:SqlitePath must name a file when Storage:Provider is Sqlite", [nameof(SqlitePath)]);
        if (Provider == "Postgres" && string.IsNullOrWhiteSpace(ConnectionString))
            yield return new ValidationResult("Storage:ConnectionString is required when Storage:Provider is Postgres", [nameof(ConnectionString)]);
    }
}
