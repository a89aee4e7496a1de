using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

/// <summary>A company's credit debts, oldest first; changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class CreditAccountState
{
    [Id(0)] public ImmutableList<CreditDebt> Debts { get; set; } = [];
}
