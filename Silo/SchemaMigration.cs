using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansLicensing.Gateway.Hosting;

namespace OrleansLicensing.Silo;

/// <summary>
/// <c>dotnet OrleansLicensing.Silo.dll migrate [--Storage:…]</c>: applies the schema scripts for the
/// configured storage and exits, so an operator can upgrade the database before a rolling restart.
/// Silos apply the same scripts at start; both paths are safe to run any number of times.
/// </summary>
public static class SchemaMigration
{
    public const string Verb = "migrate";

    public static bool IsRequested(string[] args) => args.Length > 0 && string.Equals(args[0], Verb, StringComparison.OrdinalIgnoreCase);

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(NodeDefaults.Options(args[1..]));
        builder.AddLicensingDefaults();
        var storage = builder.Configuration.GetSection(StorageSettings.Section).Get<StorageSettings>() ?? new();
        await using var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SchemaMigration));
        switch (storage.Provider)
        {
            case StorageProvider.PostgreSql:
                var applied = await PostgreSqlSchema.ApplyAsync(storage.ResolveConnectionString(), logger);
                Console.WriteLine(applied.Count == 0
                    ? $"PostgreSQL schema is at version {PostgreSqlSchema.LatestVersion}; nothing to apply."
                    : $"Applied {string.Join(", ", applied)}; PostgreSQL schema is at version {PostgreSqlSchema.LatestVersion}.");
                return 0;
            case StorageProvider.Sqlite:
                if (!Path.IsPathRooted(storage.DataDirectory))
                {
                    storage.DataDirectory = Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, storage.DataDirectory));
                }

                Directory.CreateDirectory(storage.DataDirectory);
                SqliteSchema.Apply(SqliteSchema.ConnectionString(storage), logger);
                Console.WriteLine($"SQLite schema applied to {storage.DatabasePath()}.");
                return 0;
            default:
                Console.Error.WriteLine($"Storage:Provider {storage.Provider} has no schema to migrate.");
                return 2;
        }
    }
}
