using System.Collections.Immutable;
using Orleans.Concurrency;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Grains;

[StatelessWorker]
public sealed class SscQuoteGrain(Catalog catalog) : Grain, ISscQuoteGrain
{
    private readonly SscCalculator _calculator = new(catalog);

    public Task<SscQuote> QuoteAsync(ImmutableArray<SscLot> lots, DateOnly calculationDate, DateOnly endDate) =>
        Task.FromResult(_calculator.Quote(lots, calculationDate, endDate));
}
