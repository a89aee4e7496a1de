using FsCheck;
using FsCheck.Fluent;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// R-C2 as a property: whatever sequence of operations runs — including ones that fail — the
/// audit balances afterwards and no project balance goes negative.
/// </summary>
public sealed class ConservationPropertyTests : IClassFixture<SingleSiloCluster>
{
    private readonly SingleSiloCluster shared;
    private readonly World _world;

    public ConservationPropertyTests(SingleSiloCluster cluster)
    {
        shared = cluster;
        _world = new World(cluster.Grains);
    }

    public enum Op
    {
        Redeem,
        AddFromBalance,
        AddCrossProject,
        Move,
        ReturnToFreePool,
        AddFromFreePool,
        Convert,
        Transfer,
        OwnKeyCreate,
        OwnKeyShrink,
        OwnKeyDelete,
        OwnKeyRedeem,
    }

    [Fact]
    public void R_C2_any_sequence_of_operations_leaves_the_audit_balanced()
    {
        var steps = Gen.Elements(Enum.GetValues<Op>())
            .Zip(Gen.Choose(0, 1000))
            .ListOf()
            .Select(list => list.Take(30).ToList());

        Prop.ForAll(steps.ToArbitrary(), sequence => RunAsync(sequence).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(20));
    }

    private async Task<bool> RunAsync(List<(Op Op, int Pick)> sequence)
    {
        var (company, p1) = await _world.CompanyAsync();
        var p2 = await _world.ProjectAsync(company);
        string[] projects = [p1, p2];
        var devices = new[] { (await _world.DeviceAsync(company, p1)).Mac, (await _world.DeviceAsync(company, p1)).Mac, (await _world.DeviceAsync(company, p2)).Mac };
        var ownKeys = new List<string>();
        await _world.FundAsync(company, p1, ("SSC", 300), ("PBX-Port8*20", 6), ("Relay-PRI", 2));
        await _world.FundAsync(company, p2, ("SSC", 300), ("PBX-Port8*20", 6), ("Relay-PRI", 2));
        foreach (var mac in devices)
        {
            await _world.AddAsync(company, mac, [p1, p2], ("PBX-Port8*20", 1));
        }

        foreach (var (op, pick) in sequence)
        {
            var device = devices[pick % devices.Length];
            var other = devices[(pick / 3) % devices.Length];
            var project = projects[pick % 2];
            Func<Task> action = op switch
            {
                Op.Redeem => async () => await _world.Ledger.RedeemKeyAsync(await _world.KeyAsync(("PBX-Port8*20", 1 + (pick % 3)), ("Relay-PRI", 1)), company, project, null),
                Op.AddFromBalance => () => _world.AddAsync(company, device, [], ("PBX-Port8*20", 1 + (pick % 2))),
                Op.AddCrossProject => () => _world.AddAsync(company, device, [p1, p2], ("Relay-PRI", 1)),
                Op.Move => () => _world.Ledger.MoveLicensesAsync(company, device, other),
                Op.ReturnToFreePool => () => _world.Ledger.ReturnToFreePoolAsync(company, device, []),
                Op.AddFromFreePool => async () =>
                {
                    var home = (await shared.Grains.GetGrain<IDeviceGrain>(device).GetAsync()).ProjectId!;
                    var pool = await shared.Grains.GetGrain<IProjectGrain>(home).GetFreePoolAsync();
                    if (!pool.IsEmpty)
                    {
                        await _world.Ledger.AddFromFreePoolAsync(company, device, [pool[pick % pool.Length].LotId]);
                    }
                },
                Op.Convert => async () =>
                {
                    var pool = await shared.Grains.GetGrain<IProjectGrain>(project).GetFreePoolAsync();
                    if (!pool.IsEmpty)
                    {
                        await _world.Ledger.ConvertFreePoolAsync(company, project, [pool[0].LotId]);
                    }
                },
                Op.Transfer => async () =>
                {
                    await _world.Ledger.TransferBalanceAsync(company, project, projects[(pick + 1) % 2], World.Units(("PBX-Port8*20", 1)));
                },
                Op.OwnKeyCreate => async () =>
                {
                    var key = await _world.Ledger.CreateOwnKeyAsync(new OwnKeyDraft(company, project, World.Units(("PBX-Port8*20", 1 + (pick % 2))), null, null, null));
                    ownKeys.Add(key.Key);
                },
                Op.OwnKeyShrink => () => ownKeys.Count == 0 ? Task.CompletedTask : _world.Ledger.UpdateOwnKeyAsync(company, ownKeys[pick % ownKeys.Count], World.Units(("PBX-Port8*20", -1))),
                Op.OwnKeyDelete => () => ownKeys.Count == 0 ? Task.CompletedTask : _world.Ledger.DeleteOwnKeyAsync(company, ownKeys[pick % ownKeys.Count]),
                _ => async () =>
                {
                    if (ownKeys.Count > 0)
                    {
                        var (buyer, buyerProject) = await _world.CompanyAsync();
                        await _world.Ledger.RedeemKeyAsync(ownKeys[pick % ownKeys.Count], buyer, buyerProject, null);
                    }
                },
            };
            await Attempt(action);

            foreach (var id in projects)
            {
                Assert.All(await _world.BalanceAsync(id), entry => Assert.True(entry.Value > 0));
            }
        }

        await _world.AssertBalancedAsync();
        return true;
    }

    /// <summary>Runs one operation; a domain refusal is an allowed outcome, anything else fails the property.</summary>
    private static async Task Attempt(Func<Task> operation)
    {
        try
        {
            await operation();
        }
        catch (LicensingException)
        {
        }
        catch (Orleans.Transactions.OrleansTransactionAbortedException e) when (e.InnerException is LicensingException)
        {
        }
    }
}
