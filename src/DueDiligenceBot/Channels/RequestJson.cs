using System.Text.Json;

namespace DueDiligenceBot.Channels;

/// <summary>
/// Reads a JSON request body field by field, so a bad request is answered with a message that names the
/// field and what it accepts, and nothing is done with it.
/// </summary>
public sealed class RequestJson
{
    public const int MaxBodyBytes = 64 * 1024;

    private readonly JsonElement _root;
    private readonly List<string> _errors = [];

    private RequestJson(JsonElement root) => _root = root;

    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Reads the body as a JSON object, or returns the 400/413/415 answer that says what is wrong.</summary>
    public static async Task<(RequestJson? Body, IResult? Failure)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) return (null, TooLarge());
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return (null, Results.Json(new { error = "the body must be JSON (Content-Type: application/json)" }, statusCode: StatusCodes.Status415UnsupportedMediaType));
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxBodyBytes) return (null, TooLarge());
            }
            using var doc = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, Problem("the body must be a JSON object"));
            return (new RequestJson(doc.RootElement.Clone()), null);
        }
        catch (JsonException e)
        {
            return (null, Problem($"the body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"));
        }
    }

    /// <summary>A required, non-empty string of at most <paramref name="maxLength"/> characters.</summary>
    public string RequiredString(string name, int maxLength)
    {
        var value = OptionalString(name, maxLength);
        if (value is null && !_errors.Any(e => e.StartsWith($"'{name}'", StringComparison.Ordinal)))
            _errors.Add($"'{name}' is required (a non-empty string)");
        else if (value is not null && value.Trim().Length == 0)
            _errors.Add($"'{name}' must not be empty");
        return value ?? "";
    }

    public string? OptionalString(string name, int maxLength)
    {
        if (!_root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String)
        {
            _errors.Add($"'{name}' must be a string, not {v.ValueKind.ToString().ToLowerInvariant()}");
            return null;
        }
        string s;
        try
        {
            s = v.GetString()!;
        }
        catch (InvalidOperationException)
        {
            _errors.Add($"'{name}' is not valid UTF-8 text");
            return null;
        }
        if (s.Length > maxLength)
        {
            _errors.Add($"'{name}' is {s.Length:N0} characters; at most {maxLength:N0} are accepted");
            return null;
        }
        if (s.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            _errors.Add($"'{name}' contains control characters");
            return null;
        }
        return s;
    }

    public JsonElement Root => _root;

    private static IResult TooLarge() =>
        Results.Json(new { error = $"the body is larger than {MaxBodyBytes / 1024} KiB" }, statusCode: StatusCodes.Status413PayloadTooLarge);

    public void AddError(string message) => _errors.Add(message);

    public IResult Problem() => Results.Json(new { error = string.Join("; ", _errors) }, statusCode: StatusCodes.Status400BadRequest);

    public static IResult Problem(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status400BadRequest);
}
