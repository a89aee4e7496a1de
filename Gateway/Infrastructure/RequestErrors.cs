using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// Describes a request the framework could not bind in the API's own terms: the JSON path or
/// parameter name, and what form was expected (a string, an integer, a date yyyy-MM-dd...).
/// </summary>
/// <remarks>
/// The framework's messages name .NET types, namespaces and hints meant for the developer
/// ("could not be converted to System.Int32", "Did you mean to use a Service instead?"). None of
/// that text is passed on: the answer is built from the failure's JSON path and line, the bound
/// type's serializer metadata (which is what the OpenAPI document describes) and, for the names
/// of missing members or parameters, only names that the metadata confirms.
/// </remarks>
public static partial class RequestErrors
{
    public sealed record Description(string Code, string Detail, IReadOnlyDictionary<string, string[]>? Errors = null);

    public static Description Describe(HttpContext context, BadHttpRequestException bad)
    {
        switch (bad.StatusCode)
        {
            case StatusCodes.Status413PayloadTooLarge:
                var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
                return new(ErrorCodes.PayloadTooLarge, limit is { } bytes ? $"The request body exceeds {bytes} bytes." : "The request body is too large.");
            case StatusCodes.Status415UnsupportedMediaType:
                return new(ErrorCodes.UnsupportedMediaType, "Send the request body as application/json.");
            case StatusCodes.Status408RequestTimeout:
                return new(ErrorCodes.RequestTimeout, "The request body was not received in time.");
            case not StatusCodes.Status400BadRequest:
                return new(Problems.CodeFor(bad.StatusCode), "The request could not be read.");
        }

        if (bad.InnerException is JsonException json)
        {
            return DescribeJson(context, json);
        }

        var message = bad.Message;
        if (ParameterInMessage().Match(message) is { Success: true } match)
        {
            return DescribeParameter(context, match.Groups["parameter"].Value, message.StartsWith("Required", StringComparison.Ordinal), match.Groups["source"].Value);
        }

        if (message.StartsWith("Implicit body inferred", StringComparison.Ordinal))
        {
            return Body("$", "required: send a JSON object", "The request body is required: send a JSON object.");
        }

        // Kestrel's own refusals while the body is read: bad chunking, a body shorter than its length...
        return new(ErrorCodes.ValidationFailed, "The request body is malformed or incomplete.");
    }

    /// <summary>
    /// The framework's refusal to read a body whose declared charset .NET does not know (an
    /// <see cref="InvalidOperationException"/>, not a bad request); null for any other exception.
    /// </summary>
    public static Description? Describe(HttpContext context, InvalidOperationException exception)
    {
        if (exception.InnerException is not ArgumentException
            || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
            || mediaType.Charset is not { HasValue: true } charset)
        {
            return null;
        }

        try
        {
            System.Text.Encoding.GetEncoding(charset.ToString());
            return null;
        }
        catch (ArgumentException)
        {
            return new(ErrorCodes.UnsupportedMediaType, "The request body's charset is not supported: send application/json in UTF-8.");
        }
    }

    private static Description DescribeJson(HttpContext context, JsonException json)
    {
        var path = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
        var message = json.Message;

        // The reader's exceptions (a subclass, usually wrapped by the serializer) mean the text is not JSON at all.
        if (json.GetType() != typeof(JsonException) || json.InnerException is JsonException)
        {
            var at = json.LineNumber is { } line && json.BytePositionInLine is { } position
                ? $" at line {line + 1}, byte {position + 1}"
                : string.Empty;
            return message.Contains("maximum", StringComparison.OrdinalIgnoreCase) && message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                ? Body(path, "nested too deeply", $"The request body nests JSON arrays or objects too deeply{at}.")
                : Body(path, "malformed JSON" + at, $"The request body is not valid JSON{at} (near {path}).");
        }

        var options = context.RequestServices.GetService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>()?.Value.SerializerOptions;
        var rootType = Endpoint(context)?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        var target = options is not null && rootType is not null ? Walk(options, rootType, path) : null;

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var members = target?.Kind == JsonTypeInfoKind.Object
                ? QuotedNames().Matches(message[Math.Max(0, message.IndexOf("including:", StringComparison.Ordinal))..])
                    .Select(m => m.Groups[1].Value)
                    .Select(name => target.Properties.FirstOrDefault(p => p.Name == name))
                    .OfType<JsonPropertyInfo>()
                    .ToList()
                : [];
            if (members.Count == 0)
            {
                return Body(path, "a required member is missing", $"The request body is not valid: {path} lacks a required member.");
            }

            var required = members.Select(p => (Path: Join(path, p.Name), Expected: Expected(options!, p.PropertyType))).ToList();
            return new(
                ErrorCodes.ValidationFailed,
                "The request body is not valid: " + string.Join("; ", required.Select(r => $"{r.Path} is required ({r.Expected})")) + ".",
                required.ToDictionary(r => r.Path, r => new[] { $"required: {r.Expected}" }));
        }

        var expected = target is null ? null : Expected(options!, target.Type);
        if (message.Contains("doesn't allow null", StringComparison.Ordinal) || message.Contains("null value", StringComparison.OrdinalIgnoreCase))
        {
            var what = expected is null ? "null is not allowed" : $"null is not allowed: expected {expected}";
            return Body(path, what, $"The request body is not valid: {path}: {what}.");
        }

        var problem = expected is null ? "the value has the wrong type" : $"expected {expected}";
        return Body(path, problem, $"The request body is not valid: {path}: {problem}.");
    }

    /// <summary>A route, query or header value that did not bind ("Failed to bind parameter ...").</summary>
    private static Description DescribeParameter(HttpContext context, string declaration, bool missing, string source)
    {
        // The declaration is "<type> <name>"; only the name is used, and only when the handler has it.
        var name = declaration[(declaration.LastIndexOf(' ') + 1)..];
        var endpoint = Endpoint(context);
        var parameter = endpoint?.Metadata.GetMetadata<MethodInfo>()?.GetParameters().FirstOrDefault(p => p.Name == name);
        if (parameter is null)
        {
            return new(ErrorCodes.ValidationFailed, missing ? "A required parameter is missing." : "A parameter has the wrong form.");
        }

        var (kind, wireName) = Source(parameter, endpoint as RouteEndpoint, source);
        var options = context.RequestServices.GetService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>()?.Value.SerializerOptions;
        var expected = options is null ? "a valid value" : Expected(options, parameter.ParameterType);
        var problem = missing ? $"required: {expected}" : $"expected {expected}";
        return new(
            ErrorCodes.ValidationFailed,
            missing ? $"The {kind} '{wireName}' is required ({expected})." : $"The {kind} '{wireName}' must be {expected}.",
            new Dictionary<string, string[]> { [wireName] = [problem] });
    }

    private static (string Kind, string Name) Source(ParameterInfo parameter, RouteEndpoint? endpoint, string source)
    {
        var name = parameter.Name!;
        if (parameter.GetCustomAttribute<FromHeaderAttribute>() is { } header)
        {
            return ("header", header.Name ?? name);
        }

        if (parameter.GetCustomAttribute<FromQueryAttribute>() is { } query)
        {
            return ("query parameter", query.Name ?? name);
        }

        if (parameter.GetCustomAttribute<FromRouteAttribute>() is { } route)
        {
            return ("path segment", route.Name ?? name);
        }

        // Inferred: a route parameter when the pattern has it, else what the framework says it read.
        if (endpoint is not null)
        {
            return endpoint.RoutePattern.GetParameter(name) is not null ? ("path segment", name)
                : source.StartsWith("header", StringComparison.Ordinal) ? ("header", name)
                : ("query parameter", name);
        }

        return source.StartsWith("route", StringComparison.Ordinal) ? ("path segment", name)
            : source.StartsWith("header", StringComparison.Ordinal) ? ("header", name)
            : ("query parameter", name);
    }

    /// <summary>The endpoint that failed; the exception handler has already cleared it from the context.</summary>
    private static Endpoint? Endpoint(HttpContext context) =>
        context.GetEndpoint() ?? context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint;

    private static Description Body(string path, string problem, string detail) =>
        new(ErrorCodes.ValidationFailed, detail, new Dictionary<string, string[]> { [path] = [problem] });

    private static string Join(string path, string member) => path == "$" ? "$." + member : path + "." + member;

    /// <summary>What the API expects of a value of this type, in JSON terms.</summary>
    public static string Expected(JsonSerializerOptions options, Type type)
    {
        var nullable = Nullable.GetUnderlyingType(type);
        type = nullable ?? type;
        var text = type switch
        {
            _ when type == typeof(string) || type == typeof(char) => "a string",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) => $"an integer from {int.MinValue} to {int.MaxValue}",
            _ when type == typeof(long) => $"an integer from {long.MinValue} to {long.MaxValue}",
            _ when type == typeof(short) || type == typeof(byte) || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(sbyte) => "an integer",
            _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => "a number",
            _ when type == typeof(DateOnly) => "a date yyyy-MM-dd",
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => "a date and time (ISO 8601, e.g. 2026-01-31T09:30:00Z)",
            _ when type == typeof(TimeOnly) => "a time HH:mm:ss",
            _ when type == typeof(TimeSpan) => "a duration d.HH:mm:ss",
            _ when type == typeof(Guid) => "a UUID",
            _ when type.IsEnum => "one of the documented values",
            _ => Kind(options, type) switch
            {
                JsonTypeInfoKind.Dictionary => "an object",
                JsonTypeInfoKind.Enumerable => "an array",
                JsonTypeInfoKind.Object => "an object",
                _ => "a valid value",
            },
        };
        return nullable is null ? text : text + " or null";
    }

    private static JsonTypeInfoKind Kind(JsonSerializerOptions options, Type type)
    {
        try
        {
            return options.GetTypeInfo(type).Kind;
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return JsonTypeInfoKind.None;
        }
    }

    /// <summary>The serializer metadata of the value a JSON path (as System.Text.Json reports it) points at.</summary>
    public static JsonTypeInfo? Walk(JsonSerializerOptions options, Type root, string path)
    {
        if (!path.StartsWith('$'))
        {
            return null;
        }

        JsonTypeInfo current;
        try
        {
            current = options.GetTypeInfo(root);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return null;
        }

        var at = 1;
        while (at < path.Length)
        {
            string? member;
            if (path[at] == '.')
            {
                var end = path.IndexOfAny(['.', '['], at + 1);
                end = end < 0 ? path.Length : end;
                member = path[(at + 1)..end];
                at = end;
            }
            else if (path.AsSpan(at).StartsWith("['"))
            {
                // A member name with special characters, which the serializer does not escape:
                // it ends at the first "']" followed by the end or another segment.
                var end = at + 2;
                while ((end = path.IndexOf("']", end, StringComparison.Ordinal)) >= 0
                    && end + 2 < path.Length && path[end + 2] is not ('.' or '['))
                {
                    end++;
                }

                if (end < 0)
                {
                    return null;
                }

                member = path[(at + 2)..end];
                at = end + 2;
            }
            else if (path[at] == '[')
            {
                var end = path.IndexOf(']', at);
                if (end < 0 || !int.TryParse(path.AsSpan(at + 1, end - at - 1), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    return null;
                }

                member = null;
                at = end + 1;
            }
            else
            {
                return null;
            }

            var next = (current.Kind, member) switch
            {
                (JsonTypeInfoKind.Enumerable, null) => current.ElementType,
                (JsonTypeInfoKind.Dictionary, not null) => current.ElementType,
                (JsonTypeInfoKind.Object, not null) => current.Properties.FirstOrDefault(p => string.Equals(p.Name, member, options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))?.PropertyType,
                _ => null,
            };
            if (next is null)
            {
                return null;
            }

            try
            {
                current = options.GetTypeInfo(next);
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
            {
                return null;
            }
        }

        return current;
    }

    [GeneratedRegex("""^(?:Failed to bind|Required) parameter "(?<parameter>[^"]+)"(?: was not provided from (?<source>[\w ]+))?""")]
    private static partial Regex ParameterInMessage();

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex QuotedNames();
}
