using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

public sealed class SscCalculatorTests
{
    private static readonly SscCalculator Calculator = new(Catalog.Default);

    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly? OptionalDate(string? iso) => iso is null ? null : D(iso);

    [Fact]
    public void R_S3_seed_example_pays_68_days_twice_and_833_once()
    {
        var lot = new SscLot("PBX-Port8*20", 20, "V8", D("2009-06-24"), null);

        var quote = Calculator.Quote([lot], D("2009-08-31"), D("2011-12-12"));

        var q = Assert.Single(quote.Lots);
        Assert.Equal("PBX-Port8*20", q.Type);
        Assert.Equal(20, q.Units);
        Assert.Equal(D("2009-06-24"), q.CoverageStart);
        Assert.Equal(68, q.DaysTwice);
        Assert.Equal(833, q.DaysOnce);

        // weighted days = 2·68 + 833 = 969; 969 / 365 = 2.654794… → 2.6548
        Assert.Equal(2.6548m, q.Multiplier);

        // 20 · 54 · 969 / 365 = 1 046 520 / 365 = 2867.178… → rounded up to 2868
        Assert.Equal(2868, q.Ssc);
        Assert.Equal(2868, quote.TotalSsc);
    }

    [Fact]
    public void R_S3_seed_example_20_units_at_54_with_multiplier_1_cost_1080_SSC()
    {
        // 2020 is a leap year: 2020-01-01 → 2020-12-31 is exactly 365 days.
        var lot = new SscLot("PBX-Port8*20", 20, "V13", D("2020-01-01"), null);

        var q = Calculator.QuoteLot(lot, D("2020-01-01"), D("2020-12-31"));

        Assert.Equal(D("2020-01-01"), q.CoverageStart);
        Assert.Equal(0, q.DaysTwice);
        Assert.Equal(365, q.DaysOnce);
        Assert.Equal(1.0000m, q.Multiplier);
        Assert.Equal(1080, q.Ssc);
    }

    [Fact]
    public void R_S2_seed_example_an_older_version_lot_starts_at_the_next_release_even_before_its_bind_date()
    {
        // V7 lot bound 2010-01-01; on 2010-02-01 V8 (released 2009-12-07) is current.
        var lot = new SscLot("PBX-PBX7#15", 10, "V7", D("2010-01-01"), null);

        var q = Calculator.QuoteLot(lot, D("2010-02-01"), D("2010-12-31"));

        Assert.Equal(D("2009-12-07"), q.CoverageStart);
        Assert.True(q.CoverageStart < lot.BindDate);

        // 2009-12-07 → 2010-02-01 = 24 + 31 + 1 = 56 days twice; 2010-02-01 → 2010-12-31 = 333 days once.
        Assert.Equal(56, q.DaysTwice);
        Assert.Equal(333, q.DaysOnce);

        // weighted 2·56 + 333 = 445; 445/365 = 1.219178… → 1.2192; 10 · 40 · 445 / 365 = 487.67… → 488
        Assert.Equal(1.2192m, q.Multiplier);
        Assert.Equal(488, q.Ssc);
    }

    public static TheoryData<string, string, string?, string, string> CoverageStarts => new()
    {
        // version, bind date, SSA end date, calculation date → coverage start

        // a lot of the current version starts at its bind date
        { "V8", "2010-01-01", null, "2010-02-01", "2010-01-01" },
        { "V13", "2020-03-15", null, "2021-01-01", "2020-03-15" },
        // a lot newer than the version current on the calculation date also starts at its bind date
        { "V8", "2009-06-24", null, "2009-08-31", "2009-06-24" },
        // a lot of an older version starts at the release of the version after its own
        { "V7", "2010-01-01", null, "2010-02-01", "2009-12-07" },
        { "V7", "2009-01-01", null, "2009-12-07", "2009-12-07" },
        { "V5", "2004-05-05", null, "2020-01-01", "2006-11-02" },
        { "V8", "2010-01-01", null, "2011-06-01", "2011-06-01" },
        { "V12", "2017-01-01", null, "2019-06-03", "2019-06-03" },
        // on the day before the next release the lot's version is still current
        { "V7", "2009-01-01", null, "2009-12-06", "2009-01-01" },
        // an SSA end date wins, also a past one and also for an older version
        { "V8", "2010-01-01", "2011-01-01", "2010-06-01", "2011-01-01" },
        { "V8", "2010-01-01", "2010-03-01", "2010-06-01", "2010-03-01" },
        { "V7", "2009-01-01", "2009-06-30", "2010-02-01", "2009-06-30" },
        { "V7", "2009-01-01", "2008-12-31", "2010-02-01", "2008-12-31" },
    };

    [Theory]
    [MemberData(nameof(CoverageStarts))]
    public void R_S2_coverage_start(string version, string bindDate, string? ssaEndDate, string calculationDate, string expected)
    {
        var lot = new SscLot("Relay-PRI", 1, version, D(bindDate), OptionalDate(ssaEndDate));

        Assert.Equal(D(expected), Calculator.CoverageStart(lot, D(calculationDate)));
        Assert.Equal(D(expected), Calculator.QuoteLot(lot, D(calculationDate), D("2030-01-01")).CoverageStart);
    }

    public static TheoryData<string, string?, string, string, int, int> Days => new()
    {
        // bind date, SSA end date, calculation date, end date → days twice, days once
        { "2010-01-01", "2010-03-01", "2010-06-01", "2011-06-01", 92, 365 },
        // SSA end in the future: nothing twice, once from the old SSA end
        { "2010-01-01", "2010-09-01", "2010-06-01", "2011-06-01", 0, 273 },
        // SSA end already beyond the new end: nothing to pay
        { "2010-01-01", "2012-01-01", "2010-06-01", "2011-06-01", 0, 0 },
        // start equal to the calculation date
        { "2010-06-01", null, "2010-06-01", "2010-06-02", 0, 1 },
        // end equal to the calculation date: only the past is paid
        { "2010-05-01", null, "2010-06-01", "2010-06-01", 31, 0 },
    };

    [Theory]
    [MemberData(nameof(Days))]
    public void R_S3_days_before_the_calculation_date_are_paid_twice_the_rest_once(string bindDate, string? ssaEndDate, string calculationDate, string endDate, int twice, int once)
    {
        var q = Calculator.QuoteLot(new SscLot("Relay-PRI", 1, "V8", D(bindDate), OptionalDate(ssaEndDate)), D(calculationDate), D(endDate));

        Assert.Equal(twice, q.DaysTwice);
        Assert.Equal(once, q.DaysOnce);
    }

    public static TheoryData<string, int, int, decimal, long> Rounding => new()
    {
        // type, units, days once (from 2021-01-01, V13, no past days) → multiplier, SSC
        // 1 · 3 · 1 / 365 = 0.0082… → 1 SSC; 1/365 = 0.0027397… → 0.0027 (rounded down)
        { "PBX-Port8", 1, 1, 0.0027m, 1 },
        // 20 · 54 · 100 / 365 = 295.89… → 296; 100/365 = 0.2739726… → 0.2740 (rounded up)
        { "PBX-Port8*20", 20, 100, 0.2740m, 296 },
        // 5 · 3 · 73 / 365 = 3 exactly → 3, not 4; 73/365 = 0.2
        { "PBX-Port8", 5, 73, 0.2000m, 3 },
        // 7 · 10 · 200 / 365 = 38.356… → 39; 200/365 = 0.5479452… → 0.5479
        { "Relay-PRI", 7, 200, 0.5479m, 39 },
        // a rate of 0 never costs anything
        { "Warranty", 4, 365, 1.0000m, 0 },
        // nothing to pay
        { "Relay-PRI", 3, 0, 0.0000m, 0 },
    };

    [Theory]
    [MemberData(nameof(Rounding))]
    public void R_S3_SSC_rounds_up_to_a_whole_credit_and_the_multiplier_to_4_decimals(string type, int units, int daysOnce, decimal multiplier, long ssc)
    {
        var start = D("2021-01-01");
        var q = Calculator.QuoteLot(new SscLot(type, units, "V13", start, null), start, start.AddDays(daysOnce));

        Assert.Equal(daysOnce, q.DaysOnce);
        Assert.Equal(multiplier, q.Multiplier);
        Assert.Equal(ssc, q.Ssc);
    }

    [Theory]
    [InlineData(365, 0, "1.0000")]
    [InlineData(73, 0, "0.2000")]
    [InlineData(730, 0, "2.0000")]
    [InlineData(0, 0, "0.0000")]
    [InlineData(1, 0, "0.0027")]
    [InlineData(100, 0, "0.2740")]
    [InlineData(365, 1, "1.0055")] // (2·1 + 365) / 365 = 1.005479…
    public void R_S3_the_multiplier_always_has_exactly_4_decimals(int daysOnce, int daysTwice, string expected)
    {
        // decimal equality ignores the scale (1m == 1.0000m), so compare the scale and the text.
        var start = D("2021-01-01");
        var calculation = start.AddDays(daysTwice);
        var q = Calculator.QuoteLot(new SscLot("Relay-PRI", 1, "V13", start, null), calculation, calculation.AddDays(daysOnce));

        Assert.Equal(daysTwice, q.DaysTwice);
        Assert.Equal(daysOnce, q.DaysOnce);
        Assert.Equal(4, q.Multiplier.Scale);
        Assert.Equal(expected, q.Multiplier.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void R_S3_a_365_day_lot_has_multiplier_1_0000_with_scale_4()
    {
        var lot = new SscLot("PBX-Port8*20", 20, "V13", D("2020-01-01"), null);

        var multiplier = Calculator.QuoteLot(lot, D("2020-01-01"), D("2020-12-31")).Multiplier;

        Assert.Equal(1.0000m, multiplier);
        Assert.Equal(4, multiplier.Scale);
        Assert.Equal("1.0000", multiplier.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void R_S3_73_days_once_has_multiplier_0_2000()
    {
        var start = D("2021-01-01");

        var multiplier = Calculator.QuoteLot(new SscLot("PBX-Port8", 5, "V13", start, null), start, start.AddDays(73)).Multiplier;

        Assert.Equal(4, multiplier.Scale);
        Assert.Equal("0.2000", multiplier.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void R_S3_SSC_uses_the_exact_multiplier_not_the_rounded_one()
    {
        // 1000 · 250 · 1 / 365 = 684.93… → 685. With the rounded multiplier 0.0027 it would be 675.
        var start = D("2021-01-01");
        var q = Calculator.QuoteLot(new SscLot("PBX-Port8*100", 1000, "V13", start, null), start, start.AddDays(1));

        Assert.Equal(0.0027m, q.Multiplier);
        Assert.Equal(685, q.Ssc);
    }

    [Fact]
    public void R_S1_total_is_the_sum_of_the_lots()
    {
        var lots = new[]
        {
            new SscLot("PBX-Port8*20", 20, "V8", D("2009-06-24"), null), // 2868 (seed example)
            new SscLot("Relay-PRI", 7, "V13", D("2021-01-01"), null),
        };

        var quote = Calculator.Quote(lots, D("2021-01-01"), D("2021-07-20"));

        Assert.Equal(2, quote.Lots.Length);
        Assert.Equal(quote.Lots.Sum(l => l.Ssc), quote.TotalSsc);
        Assert.Equal(["PBX-Port8*20", "Relay-PRI"], quote.Lots.Select(l => l.Type));

        // Relay-PRI: 2021-01-01 → 2021-07-20 = 200 days once → 39 SSC
        Assert.Equal(39, quote.Lots[1].Ssc);
    }

    [Fact]
    public void R_S1_no_lots_cost_nothing()
    {
        var quote = Calculator.Quote([], D("2021-01-01"), D("2022-01-01"));
        Assert.Empty(quote.Lots);
        Assert.Equal(0, quote.TotalSsc);
    }

    [Theory]
    [InlineData("2021-01-01", "2020-12-31")]
    [InlineData("2021-01-01", "2000-01-01")]
    public void R_S1_end_date_before_the_calculation_date_is_SsaEndInPast(string calculationDate, string endDate) =>
        DomainAssert.Fails(ErrorCodes.SsaEndInPast, () => Calculator.Quote([new SscLot("Relay-PRI", 1, "V13", D("2020-01-01"), null)], D(calculationDate), D(endDate)));

    [Fact]
    public void R_S1_end_date_before_the_calculation_date_is_SsaEndInPast_even_without_lots() =>
        DomainAssert.Fails(ErrorCodes.SsaEndInPast, () => Calculator.Quote([], D("2021-01-01"), D("2020-12-31")));

    [Theory]
    [InlineData("Unknown")]
    [InlineData("pbx-port8*20")]
    [InlineData("")]
    public void Unknown_license_type_is_UnknownLicenseType(string type) =>
        DomainAssert.Fails(ErrorCodes.UnknownLicenseType, () => Calculator.Quote([new SscLot(type, 1, "V13", D("2020-01-01"), null)], D("2021-01-01"), D("2022-01-01")));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(LicenseMath.MaxUnitsPerEntry + 1)]
    public void Zero_negative_or_too_many_units_are_InvalidUnits(int units) =>
        DomainAssert.Fails(ErrorCodes.InvalidUnits, () => Calculator.Quote([new SscLot("Relay-PRI", units, "V13", D("2020-01-01"), null)], D("2021-01-01"), D("2022-01-01")));

    [Fact]
    public void Unknown_lot_version_is_VersionNotOffered() =>
        DomainAssert.Fails(ErrorCodes.VersionNotOffered, () => Calculator.Quote([new SscLot("Relay-PRI", 1, "V99", D("2020-01-01"), null)], D("2021-01-01"), D("2022-01-01")));

    // ---- property ----

    private static readonly string[] Types = [.. Catalog.Default.LicenseTypes.Select(t => t.Code)];
    private static readonly string[] Versions = [.. Catalog.Default.Versions.Select(v => v.Version)];
    private static readonly DateOnly Epoch = new(2003, 1, 1);

    private static Gen<DateOnly> DateGen(int maxDays) => Gen.Choose(0, maxDays).Select(Epoch.AddDays);

    private static readonly Gen<SscLot> LotGen =
        from type in Gen.Elements(Types)
        from units in Gen.Choose(1, LicenseMath.MaxUnitsPerEntry)
        from version in Gen.Elements(Versions)
        from bind in DateGen(9000)
        from hasSsa in Gen.Elements(true, false)
        from ssa in DateGen(10000)
        select new SscLot(type, units, version, bind, hasSsa ? ssa : null);

    private static readonly Gen<(SscLot[] Lots, DateOnly Calculation, DateOnly End, int Later)> CaseGen =
        from lots in Gen.ArrayOf(LotGen, 4)
        from calculation in DateGen(9000)
        from endOffset in Gen.Choose(0, 3000)
        from later in Gen.Choose(0, 3000)
        select (lots, calculation, calculation.AddDays(endOffset), later);

    [FsCheck.Xunit.Property]
    public Property R_S3_total_SSC_never_decreases_when_the_end_date_moves_later() =>
        Prop.ForAll(CaseGen.ToArbitrary(), c =>
        {
            var earlier = Calculator.Quote(c.Lots, c.Calculation, c.End);
            var later = Calculator.Quote(c.Lots, c.Calculation, c.End.AddDays(c.Later));
            return earlier.TotalSsc <= later.TotalSsc
                && earlier.Lots.Zip(later.Lots).All(p => p.First.Ssc <= p.Second.Ssc && p.First.Multiplier <= p.Second.Multiplier);
        });
}
