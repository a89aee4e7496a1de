namespace OrleansLicensing.Gateway.Hosting;

/// <summary>
/// What every licensing process (silo, gateway or both) assumes before any configuration file is
/// read: files and relative paths resolve against the directory of the binary, not the working
/// directory, and the defaults below hold even when no <c>appsettings.json</c> is found.
/// Operators override any of them by appsettings, <c>Section__Key</c> variables or the command line.
/// </summary>
public static class NodeDefaults
{
    /// <summary>Log levels that keep per-request framework logging out of production logs.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
        ["Logging:LogLevel:Orleans"] = "Warning",
        ["Logging:LogLevel:Orleans.Runtime.Silo"] = "Information",
        ["Logging:LogLevel:Polly"] = "Warning",
    };

    /// <summary>Builder options rooted at the binary's directory (unless a content root is given).</summary>
    public static WebApplicationOptions Options(string[] args) => new()
    {
        Args = args,
        ContentRootPath = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)) ? null : AppContext.BaseDirectory,
    };

    /// <summary>Puts <see cref="Settings"/> below every other configuration source.</summary>
    public static WebApplicationBuilder AddLicensingDefaults(this WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = Settings });
        return builder;
    }
}
