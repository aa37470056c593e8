using Dapper;

namespace DueDiligenceBot.Core.Storage;

/// <summary>
/// Dapper reads snake_case columns (<c>dedup_key</c>) into PascalCase properties (<c>DedupKey</c>). Switched on by
/// the connection factories, which every query goes through, so no query depends on which store ran first.
/// </summary>
internal static class DapperSetup
{
    static DapperSetup() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    /// <summary>Runs the static constructor once; calling it again costs nothing.</summary>
    internal static void EnsureInitialized() { }
}
