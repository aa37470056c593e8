using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;

namespace DueDiligenceBot.Core.Storage;

/// <summary>
/// Single-row INSERTs a turn has decided on but not yet sent, so they travel to the database in the same
/// command as the turn's state save: one round trip to PostgreSQL instead of one each. Only for rows nothing
/// in the turn reads back before the save (the turn flushes them first when it must read).
/// </summary>
public sealed partial class DeferredInserts
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();
    private static readonly ConcurrentDictionary<(string Sql, int Index), string> Renamed = new();
    private readonly List<(string Sql, object Parameters)> _inserts = [];

    public int Count => _inserts.Count;

    /// <summary>Adds an INSERT … VALUES (…) of exactly one row; its parameters are the object's properties.</summary>
    public void Add(string insertSql, object parameters) => _inserts.Add((insertSql.Trim().TrimEnd(';'), parameters));

    /// <summary>
    /// <paramref name="firstSql"/> (with <paramref name="first"/>'s parameters) followed by every deferred insert,
    /// as one command; the inserts' parameters are renamed so they cannot collide. Clears the list.
    /// </summary>
    public (string Sql, DynamicParameters Parameters) Take(string firstSql, object? first)
    {
        var sql = new StringBuilder(firstSql.Trim().TrimEnd(';')).Append(";\n");
        var parameters = new DynamicParameters(first);
        for (var i = 0; i < _inserts.Count; i++)
        {
            var (insert, values) = _inserts[i];
            sql.Append(Renamed.GetOrAdd((insert, i), k => ParameterName().Replace(k.Sql, m => m.Value + Suffix(k.Index)))).Append(";\n");
            foreach (var p in Properties.GetOrAdd(values.GetType(), t => t.GetProperties()))
                parameters.Add(p.Name + Suffix(i), p.GetValue(values));
        }
        _inserts.Clear();
        return (sql.ToString(), parameters);
    }

    /// <summary>Sends the deferred inserts now (when the turn is about to read what they write).</summary>
    public async Task FlushAsync(System.Data.Common.DbTransaction tx)
    {
        if (_inserts.Count == 0) return;
        var expected = _inserts.Count;
        var (sql, parameters) = Take("SELECT 1", null);
        var rows = await tx.Connection!.ExecuteAsync(sql, parameters, tx);
        if (rows != expected) throw new InvalidOperationException($"{expected} deferred rows were sent but {rows} stored");
    }

    private static string Suffix(int index) => "_d" + index;

    [GeneratedRegex(@"@[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex ParameterName();
}
