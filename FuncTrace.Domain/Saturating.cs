namespace FuncTrace.Domain;

/// <summary>Sums of counts that stop at the ends of <see cref="long"/> instead of wrapping to the other sign.</summary>
public static class Saturating
{
    public static long Add(long a, long b)
    {
        var sum = unchecked(a + b);
        // Overflow happened exactly when both operands share a sign that the result lacks.
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : sum;
    }

    public static long Sum<T>(IEnumerable<T> items, Func<T, long> selector)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(selector);
        return items.Aggregate(0L, (total, item) => Add(total, selector(item)));
    }
}
