using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansLicensing.ApiTests.Security;

/// <summary>
/// Issue 13: secrets at rest and in logs. One run on the durable node (SQLite) with every log
/// line captured: sign-up, sign-in, refresh, an API key created and used, hardware registered
/// and polled, a password change. Afterwards neither the database files nor the logs hold the
/// vendor key, a password, a device secret, an access or refresh token or an API key.
/// </summary>
public sealed class SecretsTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-licensing-secrets-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Secrets_appear_neither_in_the_SQLite_database_nor_in_the_logs_of_a_run()
    {
        var logs = new CapturingLoggerProvider();
        var secrets = new List<(string What, string Value)> { ("vendor key", LicensingApp.VendorKey) };
        await using (var app = new LicensingApp("Sqlite", _dataDirectory, services => services.AddSingleton<ILoggerProvider>(logs), new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "Information" }))
        {
            var api = new Api(app.CreateClient());
            var email = Api.NewEmail();
            var access = await api.RegisterAndLoginAsync(email);
            secrets.Add(("password", Api.Password));
            secrets.Add(("access token", access));
            var issued = await Api.Json(await api.SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email, password = Api.Password }));
            var refresh = issued["refreshToken"]!.GetValue<string>();
            secrets.Add(("refresh token", refresh));
            var refreshed = await Api.Json(await api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new { refreshToken = refresh }));
            secrets.Add(("refreshed access token", refreshed["accessToken"]!.GetValue<string>()));
            secrets.Add(("second refresh token", refreshed["refreshToken"]!.GetValue<string>()));

            var (companyId, projectId) = await api.CreateCompanyAsync(access);
            var (_, apiKey) = await ApiKeyTests.CreateKeyAsync(api, access, companyId, "secrets", []);
            secrets.Add(("API key", apiKey));
            secrets.Add(("API key secret", apiKey.Split('.')[3]));
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/projects/{projectId}/balance", null, apiKey)).StatusCode);

            var (mac, deviceSecret) = await api.RegisterHardwareAsync(Api.NewMacSuffix());
            secrets.Add(("device secret", deviceSecret));
            await api.PollAsync(mac, deviceSecret);
            await api.PollAsync(mac, "a wrong device secret");

            const string newPassword = "a new and secret password";
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Patch, "/api/v1/me", new { currentPassword = Api.Password, newPassword }, access)).StatusCode);
            secrets.Add(("new password", newPassword));
            await Api.AssertProblem(await api.SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email, password = "a wrong password guess" }), HttpStatusCode.Unauthorized, "Unauthorized");
            secrets.Add(("wrong password", "a wrong password guess"));
        }

        Assert.True(logs.Lines.Count > 10, "no logs were captured");
        var files = Directory.GetFiles(_dataDirectory, "licensing.db*");
        Assert.Contains(files, f => f.EndsWith("licensing.db", StringComparison.Ordinal));
        var stored = files.Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
        Assert.True(stored.Sum(f => f.Item2.Length) > 10_000, "the database is empty");
        // Control: the scan reads the stored data (the account's display name is plain text there).
        Assert.Contains(stored, f => f.Item2.AsSpan().IndexOf("Test User"u8) >= 0);
        var log = string.Join('\n', logs.Lines);
        foreach (var (what, value) in secrets)
        {
            Assert.False(log.Contains(value, StringComparison.Ordinal), $"the logs contain the {what}");
            foreach (var (file, bytes) in stored)
            {
                Assert.False(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) >= 0, $"{file} contains the {what} (UTF-8)");
                Assert.False(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(value)) >= 0, $"{file} contains the {what} (UTF-16)");
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is left to the temp directory's cleanup.
        }
    }

    /// <summary>Every log line of the node, formatted with its exception.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                provider.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {state} {exception}");
        }
    }
}
