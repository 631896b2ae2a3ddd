using FuncTrace.Domain;
using FuncTrace.Domain.Usage;

namespace FuncTrace.Tests.Usage;

/// <summary>The report's own sums, on counts no test could store: they stop at the largest value instead of wrapping.</summary>
public sealed class UsageTotalsTests
{
    [Fact]
    public void TotalsOfLinesNearTheLargestCountSaturateInsteadOfWrapping()
    {
        var lines = new[]
        {
            new UsageLine("2025-01-01", "a@example.com", "gpt-4o", long.MaxValue - 5, long.MaxValue, long.MaxValue, long.MaxValue, 1.0),
            new UsageLine("2025-01-01", "b@example.com", "gpt-4o", 10, 10, 20, 1, 2.0),
            new UsageLine("2025-01-02", "b@example.com", "local", 1, 1, 2, 1, null),
        };

        var totals = UsageTotals.Of(lines);

        Assert.Equal(long.MaxValue, totals.PromptTokens);
        Assert.Equal(long.MaxValue, totals.CompletionTokens);
        Assert.Equal(long.MaxValue, totals.TotalTokens);
        Assert.Equal(long.MaxValue, totals.Events);
        Assert.Equal(3.0, totals.Cost);
        Assert.Equal(["local"], totals.UnpricedModels);
    }

    [Theory]
    [InlineData(long.MaxValue, 1, long.MaxValue)]
    [InlineData(long.MaxValue, long.MaxValue, long.MaxValue)]
    [InlineData(long.MinValue, -1, long.MinValue)]
    [InlineData(long.MaxValue, -1, long.MaxValue - 1)]
    [InlineData(200_000_000, 100_000_000, 300_000_000)]
    public void ASaturatingSumIsExactUntilItReachesAnEnd(long a, long b, long sum) => Assert.Equal(sum, Saturating.Add(a, b));

    [Fact]
    public void AReportWithOnlyUnpricedModelsHasNoCostAndAnEmptyOneCostsNothing()
    {
        Assert.Null(UsageTotals.Of([new UsageLine("2025-01", null, null, 1, 1, 2, 1, null)]).Cost);
        Assert.Equal(0, UsageTotals.Of([]).Cost);
    }
}
