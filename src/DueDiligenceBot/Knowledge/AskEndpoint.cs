using System.Text.Json;
using System.Text.Json.Serialization;
using DueDiligenceBot.Channels;
using DueDiligenceBot.Core.Knowledge;

namespace DueDiligenceBot.Knowledge;

/// <summary><c>POST /api/ask</c> <c>{"question"}</c>: a framework question answered from the notes, or an abstention.</summary>
public static class AskEndpoint
{
    public const int MaxQuestionLength = 2000;

    public static void MapAsk(this WebApplication app) => app.MapPost("/api/ask", PostAsync);

    private static async Task<IResult> PostAsync(HttpRequest request, IKnowledgeBase knowledge, CancellationToken ct)
    {
        var (body, failure) = await RequestJson.ReadAsync(request, ct);
        if (body is null) return failure!;
        var question = body.RequiredString("question", MaxQuestionLength);
        if (body.Errors.Count > 0) return body.Problem();
        var answer = await knowledge.AskAsync(question.Trim(), ct);
        return Results.Json(AskResponse.From(answer), AskResponse.Json);
    }
}

/// <summary>The JSON of an answer, shared by <c>POST /api/ask</c> and <c>ask --json</c>.</summary>
public sealed record AskResponse(string Answer, bool Abstained, IReadOnlyList<AskCitation> Citations, IReadOnlyList<string> Suggestions)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static AskResponse From(KnowledgeAnswer a) => new(
        a.Text,
        a.Abstained,
        a.Citations.Select(c => new AskCitation(c.Number, c.NoteId, c.Title, c.Section, c.Source, c.Url)).ToList(),
        a.Suggestions);
}

public sealed record AskCitation(int Number, string NoteId, string Title, string Section, string Source, string? Url);
