using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

public sealed class OpenApiTests(SharedApp shared)
{
    public static TheoryData<string, string> Routes => new()
    {
        { "post", "/api/v1/accounts" },
        { "post", "/api/v1/auth/token" },
        { "get", "/api/v1/me" },
        { "post", "/api/v1/companies" },
        { "get", "/api/v1/companies/{cid}" },
        { "get", "/api/v1/companies/{cid}/projects" },
        { "post", "/api/v1/companies/{cid}/projects" },
        { "get", "/api/v1/companies/{cid}/projects/{pid}" },
        { "post", "/api/v1/companies/{cid}/projects/{pid}/activations" },
        { "get", "/api/v1/companies/{cid}/projects/{pid}/balance" },
        { "post", "/api/v1/companies/{cid}/projects/{pid}/devices" },
        { "get", "/api/v1/companies/{cid}/projects/{pid}/devices" },
        { "get", "/api/v1/companies/{cid}/devices/{mac}" },
        { "post", "/api/v1/companies/{cid}/devices/{mac}/licenses" },
        { "post", "/api/v1/vendor/activation-keys" },
        { "post", "/api/v1/vendor/hardware" },
        { "get", "/api/v1/device/license" },
        { "get", "/api/v1/catalog/license-types" },
        { "get", "/api/v1/catalog/device-types" },
        { "get", "/api/v1/catalog/versions" },
        { "get", "/api/v1/catalog/signing-key" },
        { "post", "/api/v1/ssc/quote" },
        { "get", "/healthz" },
        { "get", "/api/v1/vendor/audit" },
        { "post", "/api/v1/companies/{cid}/projects/{pid}/own-keys" },
        { "patch", "/api/v1/companies/{cid}/projects/{pid}/own-keys/{key}" },
        { "delete", "/api/v1/companies/{cid}/projects/{pid}/own-keys/{key}" },
        { "get", "/api/v1/companies/{cid}/projects/{pid}/free-licenses" },
        { "post", "/api/v1/companies/{cid}/projects/{pid}/free-licenses/convert" },
        { "post", "/api/v1/companies/{cid}/devices/{mac}/licenses/from-free" },
        { "post", "/api/v1/companies/{cid}/devices/{mac}/licenses/move" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Every_route_is_described_with_request_and_response_schemas(string method, string path)
    {
        var document = await DocumentAsync();
        var operation = document["paths"]?[path]?[method];
        Assert.True(operation is not null, $"{method.ToUpperInvariant()} {path} is missing from /openapi/v1.json");

        if (method is "post" or "patch")
        {
            var requestSchema = operation!["requestBody"]?["content"]?["application/json"]?["schema"];
            Assert.True(requestSchema is not null, $"{path} has no JSON request schema");
            AssertResolvable(document, requestSchema!);
        }

        var responses = operation!["responses"]!.AsObject();
        var success = responses.Single(r => r.Key is "200" or "201");
        var responseSchema = success.Value?["content"]?["application/json"]?["schema"];
        Assert.True(responseSchema is not null, $"{path} has no JSON response schema");
        AssertResolvable(document, responseSchema!);

        foreach (var error in responses.Where(r => r.Key.StartsWith('4') || r.Key.StartsWith('5')))
        {
            Assert.NotNull(error.Value?["content"]?["application/problem+json"]);
        }
    }

    [Fact]
    public async Task Problem_schema_documents_the_code_member()
    {
        var document = await DocumentAsync();
        Assert.NotNull(document["components"]?["schemas"]?["ProblemDetails"]?["properties"]?["code"]);
    }

    private async Task<JsonNode> DocumentAsync()
    {
        var response = await shared.App.CreateClient().GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>A schema is inline or a $ref to a component that exists and has properties or items.</summary>
    private static void AssertResolvable(JsonNode document, JsonNode schema)
    {
        var target = schema;
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            var name = reference.Split('/')[^1];
            target = document["components"]?["schemas"]?[name];
            Assert.True(target is not null, $"{reference} does not resolve");
        }

        if (target!["items"] is { } items)
        {
            AssertResolvable(document, items);
            return;
        }

        Assert.True(target["properties"] is not null || target["type"] is not null || target["additionalProperties"] is not null, $"schema {target.ToJsonString()} describes nothing");
    }
}
