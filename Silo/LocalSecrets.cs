using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace OrleansLicensing.Silo;

/// <summary>
/// Secrets a single node generates for itself on first start and keeps in its data directory
/// (owner-only file permissions where the OS has them). The secret itself is never logged;
/// its location is logged once, when it is created.
/// </summary>
public static class LocalSecrets
{
    public static string GetOrCreate(string dataDirectory, string fileName, string description, Func<string> create, ILogger logger)
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

        logger.LogWarning("Generated the {Description} and stored it in {Path}", description, path);
        return value;
    }

    public static string NewRandomKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
