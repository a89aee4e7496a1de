using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansLicensing.Silo;

/// <summary>
/// Secrets a single node generates for itself on first start and keeps in its data directory
/// (owner-only file permissions where the OS has them). The secret itself is never logged;
/// its location is logged once, when it is created.
/// </summary>
public static class LocalSecrets
{
    /// <summary>
    /// Fills the keys a single node needs and the operator did not configure: from files in the
    /// data directory (created on first start) with durable storage, fresh per process otherwise.
    /// </summary>
    public static void FillUnconfigured(IHostApplicationBuilder builder, StorageSettings storage)
    {
        var created = new List<(string Description, string Path)>();
        foreach (var (key, file, description) in new[]
        {
            ("Licensing:VendorApiKey", "vendor-api-key", "vendor API key (Licensing:VendorApiKey)"),
            ("Licensing:TokenSigningKey", "token-signing-key", "access-token signing key (Licensing:TokenSigningKey)"),
            ("Licensing:DeviceSecretKey", "device-secret-key", "device-secret derivation key (Licensing:DeviceSecretKey)"),
        })
        {
            if (string.IsNullOrEmpty(builder.Configuration[key]))
            {
                builder.Configuration[key] = storage.Provider == StorageProvider.Memory
                    ? NewRandomKey()
                    : GetOrCreate(storage.DataDirectory, file, NewRandomKey, path => created.Add((description, path)));
            }
        }

        if (created.Count > 0)
        {
            builder.Services.AddHostedService(sp => new CreatedNotice(created, sp.GetRequiredService<ILogger<CreatedNotice>>()));
        }
    }

    public static string GetOrCreate(string dataDirectory, string fileName, Func<string> create, Action<string> created)
    {
        var path = Path.Combine(Path.GetFullPath(dataDirectory), fileName);
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var value = create();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, options);
            writer.Write(value);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: use theirs.
            return File.ReadAllText(path).Trim();
        }

        created(path);
        return value;
    }

    public static string NewRandomKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Logs where new secrets were stored, once the host's logging is up.</summary>
    private sealed class CreatedNotice(List<(string Description, string Path)> created, ILogger<CreatedNotice> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var (description, path) in created)
            {
                logger.LogWarning("Generated the {Description} and stored it in {Path}", description, path);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
