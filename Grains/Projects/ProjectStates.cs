using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class ProjectState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string CompanyId { get; set; } = string.Empty;
    [Id(2)] public string Name { get; set; } = string.Empty;
    [Id(3)] public string? Description { get; set; }
    [Id(4)] public DateOnly? SsaEndDate { get; set; }
    /// <summary>The device list as stored before it moved to a chunked set ("project-devices/{id}"); handed over and emptied on first use.</summary>
    [Id(5)] public ImmutableSortedSet<string> Devices { get; set; } = ImmutableSortedSet<string>.Empty;

    /// <summary>Set once the project's close committed (R-P3); the project is NotFound from then on.</summary>
    [Id(6)] public bool Deleted { get; set; }

    /// <summary>Other companies granted rights on the project (R-P2).</summary>
    [Id(7)] public ImmutableSortedSet<string> ExternalCompanies { get; set; } = ImmutableSortedSet<string>.Empty;

    /// <summary>The project turned SSA expiry mails off (R-S5); they are on by default.</summary>
    [Id(8)] public bool SsaExpiryMailsOff { get; set; }

    /// <summary>The SSA end date the expiry mails in <see cref="ExpiryMailSlots"/> were sent for.</summary>
    [Id(9)] public DateOnly? ExpiryMailsFor { get; set; }

    /// <summary>Per user (canonical e-mail): the last week slot an expiry mail was sent for (R-S5; 0 = seven weeks before the end).</summary>
    [Id(10)] public ImmutableSortedDictionary<string, int> ExpiryMailSlots { get; set; } = ImmutableSortedDictionary<string, int>.Empty;
}

/// <summary>
/// A project's SSA end date (R-S1), changed only inside the transaction that pays for it, with the
/// lots it dates. <see cref="ProjectState.SsaEndDate"/> mirrors the committed value for reads.
/// </summary>
[GenerateSerializer]
public sealed class ProjectSsaState
{
    [Id(0)] public DateOnly? EndDate { get; set; }
}

/// <summary>A project's balance (R-P5); changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class BalanceState
{
    [Id(0)] public ImmutableSortedDictionary<string, int> Licenses { get; set; } = ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal);

    /// <summary>
    /// Set by the transaction that deletes the project (R-P3). It lives in the balance, under the
    /// same lock as every credit and debit, so a redeem racing the delete either committed first
    /// (and the delete sees its units) or finds the project closed and aborts.
    /// </summary>
    [Id(1)] public bool Closed { get; set; }

    /// <summary>
    /// Set by the first transaction of a project join (R-P4), which handed everything to this
    /// project: from then on credits, debits and free-pool changes are refused, so nothing lands
    /// here that the join would leave behind.
    /// </summary>
    [Id(2)] public string? JoiningInto { get; set; }
}

/// <summary>The keys of a project (R-K2, R-K3, R-P3); changed only inside transactions, with the balance.</summary>
[GenerateSerializer]
public sealed class ProjectKeysState
{
    /// <summary>Keys redeemed into the project, oldest first.</summary>
    [Id(0)] public ImmutableList<RedeemedKey> Redeemed { get; set; } = [];

    /// <summary>Codes of own keys created from the project and not deleted.</summary>
    [Id(1)] public ImmutableSortedSet<string> OwnKeys { get; set; } = ImmutableSortedSet<string>.Empty;
}

/// <summary>Lots returned from devices, waiting in a project (R-V5, R-V6); changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class FreePoolState
{
    [Id(0)] public ImmutableArray<LicenseLot> Lots { get; set; } = [];
}
