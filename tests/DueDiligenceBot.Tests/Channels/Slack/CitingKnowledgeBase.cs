using DueDiligenceBot.Core.Conversation;
using DueDiligenceBot.Core.Knowledge;
using Microsoft.Extensions.DependencyInjection;

namespace DueDiligenceBot.Tests.Channels.Slack;

/// <summary>
/// Wraps the app's knowledge base so channel tests always have a cited answer to render: what the real
/// retrieval answers with citations passes through; an abstention becomes a short answer citing the
/// best-matching real note by its title words. Channel tests test the channel, not retrieval quality.
/// </summary>
public sealed class CitingKnowledgeBase(IKnowledgeBase inner) : IKnowledgeBase
{
    public IReadOnlyList<Note> Notes => inner.Notes;

    public Note? FindNote(string id) => inner.FindNote(id);

    public async Task<KnowledgeAnswer> AskAsync(string question, CancellationToken ct = default)
    {
        var real = await inner.AskAsync(question, ct);
        if (real.Citations.Count > 0) return real;
        var words = question.ToLowerInvariant().Split([' ', '?', '.', ','], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length > 3).ToHashSet();
        var note = Notes.OrderByDescending(n => words.Count(w => n.Title.Contains(w, StringComparison.OrdinalIgnoreCase))).FirstOrDefault();
        if (note is null) return real;
        var source = note.Sources[0];
        return new KnowledgeAnswer($"From our notes on {note.Title}: this is what the note says about \"{question}\". [1]", false,
            [new Citation(1, note.Id, note.Title, note.Sections[0].Heading, source.Title, source.Url)], []);
    }

    /// <summary>Replaces the registered <see cref="IKnowledgeBase"/> with itself around the original.</summary>
    public static void Decorate(IServiceCollection services)
    {
        var original = services.Last(d => d.ServiceType == typeof(IKnowledgeBase));
        services.Remove(original);
        services.AddSingleton<IKnowledgeBase>(sp => new CitingKnowledgeBase(
            original.ImplementationInstance as IKnowledgeBase
            ?? (IKnowledgeBase?)original.ImplementationFactory?.Invoke(sp)
            ?? (IKnowledgeBase)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!)));
    }
}
