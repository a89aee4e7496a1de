using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// Documents the <c>code</c> member of every problem+json body in the OpenAPI document: an
/// <c>enum</c> of every error code with, in the description, the HTTP status each one comes with
/// (both from <see cref="Problems.StatusByCode"/>, so the document cannot drift from the table).
/// </summary>
public static class ProblemCodesSchema
{
    public static OpenApiOptions AddProblemCodes(this OpenApiOptions options) =>
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))
            {
                schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                schema.Properties["code"] = Code;
                schema.Properties["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                    Description = "With ValidationFailed for a request that could not be bound: what is wrong, by JSON path of the body member ($.devices[0].shipDate) or by parameter name.",
                };
                schema.Properties["traceId"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "The W3C trace id of the request (also in the X-Trace-Id header); quote it to the operator.",
                };
            }

            return Task.CompletedTask;
        });

    private static OpenApiSchema Code => new()
    {
        Type = JsonSchemaType.String,
        Enum = [.. Problems.StatusByCode.Keys.Order(StringComparer.Ordinal).Select(code => (JsonNode)JsonValue.Create(code))],
        Description = Describe(),
    };

    private static string Describe()
    {
        var text = new StringBuilder("Stable, machine-readable error code; switch on it rather than on the status or the text. Codes and the HTTP status each comes with:");
        foreach (var group in Problems.StatusByCode.GroupBy(e => e.Value).OrderBy(g => g.Key))
        {
            text.Append(CultureInfo.InvariantCulture, $" {group.Key}: {string.Join(", ", group.Select(e => e.Key).Order(StringComparer.Ordinal))}.");
        }

        return text.ToString();
    }
}
