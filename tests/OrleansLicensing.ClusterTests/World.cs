using System.Collections.Immutable;
using System.Security.Cryptography;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.ClusterTests;

/// <summary>Builds companies, projects, keys and devices through the grains, with fresh keys per call.</summary>
public sealed class World(IGrainFactory grains)
{
    public IGrainFactory Grains { get; } = grains;

    public ILedgerGrain Ledger => Grains.GetGrain<ILedgerGrain>(0);

    public static ImmutableSortedDictionary<string, int> Units(params (string Type, int Units)[] entries) =>
        LicenseMath.ToMap(entries.Select(e => KeyValuePair.Create(e.Type, e.Units)));

    public async Task<(string CompanyId, string DefaultProjectId)> CompanyAsync()
    {
        var email = $"u-{Guid.NewGuid():N}@example.com";
        await Grains.GetGrain<IUserGrain>(email).RegisterAsync("correct horse battery", "Tester", "en");
        var company = await Grains.GetGrain<ICompanyGrain>(Codes.NewId()).CreateAsync("Acme", email);
        return (company.CompanyId, company.DefaultProjectId);
    }

    public async Task<string> ProjectAsync(string companyId) =>
        (await Grains.GetGrain<ICompanyGrain>(companyId).CreateProjectAsync($"P-{Guid.NewGuid():N}", null)).ProjectId;

    public async Task<string> KeyAsync(params (string Type, int Units)[] licenses) =>
        (await Ledger.MintKeyAsync(Units(licenses), "SO-TEST")).Key;

    public async Task FundAsync(string companyId, string projectId, params (string Type, int Units)[] licenses) =>
        await Ledger.RedeemKeyAsync(await KeyAsync(licenses), companyId, projectId, null);

    /// <summary>A registered device of <paramref name="deviceType"/> in the project; returns its MAC and secret.</summary>
    public async Task<(string Mac, string Secret)> DeviceAsync(string companyId, string projectId, string deviceType = "IP6000")
    {
        var mac = Mac.FromSuffix(RandomNumberGenerator.GetInt32(0, 0x1000000)).ToString();
        var secret = await Grains.GetGrain<IHardwareGrain>(mac).RegisterAsync(new HardwareRegistration(mac, deviceType, "SO-TEST", new DateOnly(2026, 1, 1), null));
        var added = await Grains.GetGrain<IDeviceGrain>(mac).AddToProjectAsync(companyId, projectId, null);
        Assert.Equal(DeviceAddStatus.Added, added.Status);
        return (mac, secret);
    }

    public Task<AddLicensesResult> AddAsync(string companyId, string mac, ImmutableArray<string> fromProjects, params (string Type, int Units)[] licenses) =>
        Ledger.AddLicensesFromBalanceAsync(new AddLicensesCommand(companyId, mac, "V13", Units(licenses), fromProjects, DryRun: false));

    public Task<ImmutableSortedDictionary<string, int>> BalanceAsync(string projectId) => Grains.GetGrain<IProjectGrain>(projectId).GetBalanceAsync();

    /// <summary>
    /// Asserts the conservation audit balances. With <paramref name="settle"/>, an unbalanced
    /// audit is repeated every 3 s up to that long: after a silo kill, a call whose caller
    /// already timed out may still be committing inside the cluster, and an audit that reads
    /// its holders mid-commit counts its units on neither or both sides. A real leak persists.
    /// </summary>
    public async Task AssertBalancedAsync(TimeSpan settle = default, ITestOutputHelper? output = null)
    {
        var deadline = DateTime.UtcNow + settle;
        while (true)
        {
            var audit = await Grains.GetGrain<IConservationAuditGrain>(0).RunAsync();
            var unbalanced = string.Join("; ", audit.LicenseTypes.Where(l => l.Difference != 0)
                .Select(l => $"{l.Type}: minted {l.Minted}, held {l.Held}, consumed {l.Consumed}, difference {l.Difference}"));
            if (audit.Balanced || DateTime.UtcNow >= deadline)
            {
                Assert.True(audit.Balanced, "audit is not balanced: " + unbalanced);
                return;
            }

            output?.WriteLine($"audit not balanced yet ({unbalanced}); auditing again in 3 s");
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
    }
}
