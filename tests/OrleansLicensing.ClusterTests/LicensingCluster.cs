using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansLicensing.Contracts;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// An in-process cluster configured like production (<see cref="LicensingNode.AddLicensing"/>),
/// with fast failure detection so a killed silo is noticed within seconds.
/// </summary>
public static class LicensingCluster
{
    public static async Task<InProcessTestCluster> StartAsync(short silos, StorageSettings storage, Action<ISiloBuilder>? configure = null)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddLicensing(storage, new LicensingSettings());
            configure?.Invoke(silo);
            silo.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromSeconds(1);
                options.NumMissedProbesLimit = 2;
                options.NumVotesForDeathDeclaration = 1;
                options.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            });
            silo.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromSeconds(15));
        });
        builder.ConfigureClient(client =>
        {
            client.UseTransactions();
            client.Configure<ClientMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromSeconds(15));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public static StorageInstrumentation Instrumentation(this InProcessTestCluster cluster, int silo = 0) =>
        cluster.Silos[silo].SiloHost.Services.GetRequiredService<StorageInstrumentation>();

    /// <summary>A durable process activated on a silo other than the first (which hosts the test cluster's membership), so a test can kill its silo.</summary>
    public static async Task<T> OffTheFirstSiloAsync<T>(InProcessTestCluster cluster)
        where T : IDurableProcessGrain
    {
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        while (true)
        {
            var process = cluster.Client.GetGrain<T>(Guid.NewGuid().ToString("N"));
            await process.GetStatusAsync();
            var host = await management.GetActivationAddress(process, TestContext.Current.CancellationToken);
            if (host is not null && !host.Equals(cluster.Silos[0].SiloAddress))
            {
                return process;
            }
        }
    }
}

/// <summary>An in-memory cluster of <c>silos</c> silos started once for the tests that share it.</summary>
public abstract class ClusterFixture(short silos, StorageSettings? storage = null) : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>Holds a chosen call on any silo of this cluster (see <see cref="CallGate"/>).</summary>
    public CallGate Gate { get; } = new();

    public async ValueTask InitializeAsync() =>
        Cluster = await LicensingCluster.StartAsync(silos, storage ?? new StorageSettings { Provider = StorageProvider.Memory }, silo => silo.Services.AddSingleton<IOutgoingGrainCallFilter>(Gate));

    public virtual async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Two silos, shared by the tests of the "cluster" collection, so races cross silos.</summary>
public sealed class SharedCluster() : ClusterFixture(2);

/// <summary>One silo, for the property test of conservation.</summary>
public sealed class SingleSiloCluster() : ClusterFixture(1);

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<SharedCluster>
{
    public const string Name = "cluster";
}
