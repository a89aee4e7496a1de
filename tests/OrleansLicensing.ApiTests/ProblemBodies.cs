using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OrleansLicensing.ApiTests;

/// <summary>What every error body of the API must be, and must not contain.</summary>
public static partial class ProblemBodies
{
    /// <summary>.NET type names and namespaces, stack frames and framework hints meant for developers.</summary>
    [GeneratedRegex("""\b(?:System|Microsoft|OrleansLicensing|Orleans)\.[A-Z]|(?:^|\s)at [\w.`<>\[\]]+\.[\w`<>]+\(|--- End of|Did you mean|`\d\[|Exception\b""")]
    public static partial Regex Internals();

    /// <summary>Null when the body is a problem+json with a code and a trace id and nothing internal; else why not.</summary>
    public static string? Check(int status, string? mediaType, string body)
    {
        if (Internals().Match(body) is { Success: true } leak)
        {
            return $"{status} leaks '{leak.Value}': {Shorten(body)}";
        }

        if (status < 400)
        {
            return null;
        }

        if (mediaType != "application/problem+json")
        {
            return $"{status} is {mediaType ?? "without a content type"}, not problem+json: {Shorten(body)}";
        }

        JsonNode? problem;
        try
        {
            problem = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return $"{status} body is not JSON: {Shorten(body)}";
        }

        var code = problem?["code"] is JsonValue c && c.TryGetValue<string>(out var s) ? s : null;
        var traceId = problem?["traceId"] is JsonValue t && t.TryGetValue<string>(out var id) ? id : null;
        if (string.IsNullOrEmpty(code) || string.IsNullOrEmpty(traceId))
        {
            return $"{status} problem without code or traceId: {Shorten(body)}";
        }

        return problem?["status"] is JsonValue st && st.TryGetValue<int>(out var declared) && declared != status
            ? $"{status} problem declares status {declared}: {Shorten(body)}"
            : null;
    }

    public static string Shorten(string text) => text.Length <= 400 ? text : text[..400] + "…";
}
