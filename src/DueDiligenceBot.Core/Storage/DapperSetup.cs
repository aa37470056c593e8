using System.Runtime.CompilerServices;
using Dapper;

namespace DueDiligenceBot.Core.Storage;

/// <summary>
/// Dapper reads snake_case columns (<c>dedup_key</c>) into PascalCase properties (<c>DedupKey</c>). Set once when
/// this assembly loads, so no query depends on which store happened to run first.
/// </summary>
internal static class DapperSetup
{
    [ModuleInitializer]
    internal static void Initialize() => DefaultTypeMap.MatchNamesWithUnderscores = true;
}
