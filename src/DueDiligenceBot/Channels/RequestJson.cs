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
            var bytes = buffer.ToArray();
            if (!System.Text.Unicode.Utf8.IsValid(bytes)) return (null, Problem("the body is not valid UTF-8"));
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, Problem("the body must be a JSON object"));
            if (!TextIsValid(doc.RootElement)) return (null, Problem("the body contains a string that is not valid Unicode (e.g. a lone surrogate escape)"));
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

    // Escapes such as "\ud800" parse but cannot become .NET strings; find them once so no reader meets them later.
    public static bool TextIsValid(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Object:
                    foreach (var p in element.EnumerateObject())
                    {
                        _ = p.Name; // property names are text too
                        if (!TextIsValid(p.Value)) return false;
                    }
                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                        if (!TextIsValid(item)) return false;
                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static IResult TooLarge() =>
        Results.Json(new { error = $"the body is larger than {MaxBodyBytes / 1024} KiB" }, statusCode: StatusCodes.Status413PayloadTooLarge);

    public void AddError(string message) => _errors.Add(message);

    public IResult Problem() => Results.Json(new { error = string.Join("; ", _errors) }, statusCode: StatusCodes.Status400BadRequest);

    public static IResult Problem(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status400BadRequest);
}
