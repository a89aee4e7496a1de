using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// Route, query and header values that do not bind are described by parameter name and expected
/// form, never by the framework's "Failed to bind parameter "Int32 count"" text. The framework
/// binds for real here (RequestDelegateFactory, as minimal APIs do); today's routes take strings
/// only, so typed parameters are exercised on a handler of the test's own.
/// </summary>
public sealed class HostileBindingTests
{
    private static readonly IServiceProvider Services = new ServiceCollection().AddLogging().AddOptions().BuildServiceProvider();

    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "route id", "abc", "The path segment 'id' must be an integer from -2147483648 to 2147483647.", "id" },
        { "query dryRun", "maybe", "The query parameter 'dryRun' must be true or false or null.", "dryRun" },
        { "query since", "2026-13-45", "The query parameter 'since' must be a date yyyy-MM-dd or null.", "since" },
        { "header X-Count", "many", "The header 'X-Count' must be an integer from -2147483648 to 2147483647.", "X-Count" },
        { "no version", string.Empty, "The query parameter 'version' is required (an integer from -2147483648 to 2147483647).", "version" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_value_that_does_not_bind_is_named_with_its_expected_form(string where, string value, string detail, string field)
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        context.Request.RouteValues["id"] = where == "route id" ? value : "7";
        context.Request.Headers["X-Count"] = where == "header X-Count" ? value : "3";
        context.Request.QueryString = where switch
        {
            "query dryRun" => new QueryString($"?version=1&dryRun={value}"),
            "query since" => new QueryString($"?version=1&since={value}"),
            "no version" => QueryString.Empty,
            _ => new QueryString("?version=1"),
        };

        var handler = Handler;
        var factory = RequestDelegateFactory.Create(handler, new RequestDelegateFactoryOptions { ServiceProvider = Services, ThrowOnBadRequest = true });
        context.SetEndpoint(new RouteEndpoint(factory.RequestDelegate, RoutePatternFactory.Parse("/items/{id}"), 0, new EndpointMetadataCollection([handler.Method, .. factory.EndpointMetadata]), "items"));

        var bad = await Assert.ThrowsAsync<BadHttpRequestException>(() => factory.RequestDelegate(context));
        var description = RequestErrors.Describe(context, bad);

        Assert.Equal("ValidationFailed", description.Code);
        Assert.Equal(detail, description.Detail);
        Assert.Equal([field], description.Errors!.Keys);
        Assert.DoesNotMatch(ProblemBodies.Internals(), description.Detail);
    }

    private static string Handler(int id, [FromHeader(Name = "X-Count")] int count, int version, bool? dryRun, DateOnly? since) => $"{id}{count}{version}{dryRun}{since}";

    [Fact]
    public void Json_paths_resolve_to_the_members_the_document_describes()
    {
        var options = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
        var root = typeof(Gateway.Apis.RegisterHardwareRequest);
        Assert.Equal(typeof(DateOnly), RequestErrors.Walk(options, root, "$.devices[0].shipDate")?.Type);
        Assert.Equal(typeof(int), RequestErrors.Walk(options, typeof(Gateway.Apis.MintKeyRequest), "$.licenses['a.b'c']")?.Type);
        Assert.Equal(typeof(int), RequestErrors.Walk(options, typeof(Gateway.Apis.MintKeyRequest), "$.licenses.PBX-Port8*20")?.Type);
        Assert.Null(RequestErrors.Walk(options, root, "$.devices[x]"));
        Assert.Null(RequestErrors.Walk(options, root, "$.nothing"));
        Assert.Equal("a date yyyy-MM-dd or null", RequestErrors.Expected(options, typeof(DateOnly?)));
        Assert.Equal("an array", RequestErrors.Expected(options, typeof(List<Gateway.Apis.HardwareItem>)));
        Assert.Equal("an object", RequestErrors.Expected(options, typeof(Dictionary<string, int>)));
    }
}
