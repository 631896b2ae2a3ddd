namespace FuncTrace.Tests.Sweep;

/// <summary>The two tenants' keys, and the path values of what tenant A owns (B owns nothing).</summary>
public sealed class SweepSeed(string tenantA, string tenantB, string keyA, string keyB, string ingestOnlyKey, string reviewOnlyKey, string ingestReviewKey)
{
    /// <summary>What a parameter stands for when tenant A owns nothing of its kind.</summary>
    public const string Unknown = "sweep-unknown";

    private readonly Dictionary<(string Pattern, string Parameter), string> _values = [];

    public string TenantA { get; } = tenantA;
    public string TenantB { get; } = tenantB;

    /// <summary>Tenant A's key with every role; <see cref="KeyB"/> is tenant B's.</summary>
    public string KeyA { get; } = keyA;

    public string KeyB { get; } = keyB;
    public string IngestOnlyKey { get; } = ingestOnlyKey;
    public string ReviewOnlyKey { get; } = reviewOnlyKey;
    public string IngestReviewKey { get; } = ingestReviewKey;

    /// <summary>Creating routes that refused their own example while seeding.</summary>
    public List<string> Failures { get; } = [];

    /// <summary>Everything of tenant A's that tenant B must never be shown: its name and every id the seeding created.</summary>
    public IEnumerable<string> SecretsOfA => _values.Values.Append(TenantA).Distinct(StringComparer.Ordinal);

    public bool Knows(SweepRoute route, string parameter)
    {
        ArgumentNullException.ThrowIfNull(route);
        return _values.ContainsKey((route.Pattern, parameter));
    }

    /// <summary>Tenant A's value for a route parameter, or <see cref="Unknown"/>.</summary>
    public string ValueFor(SweepRoute route, string parameter)
    {
        ArgumentNullException.ThrowIfNull(route);
        return _values.GetValueOrDefault((route.Pattern, parameter), Unknown);
    }

    /// <summary>The path of <paramref name="route"/> with tenant A's values.</summary>
    public string PathOf(SweepRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.Path(name => Uri.EscapeDataString(ValueFor(route, name)));
    }

    /// <summary>Records the values <paramref name="path"/> gives the parameters of every route it is a path of.</summary>
    public void Learn(IEnumerable<SweepRoute> routes, string path)
    {
        ArgumentNullException.ThrowIfNull(routes);
        foreach (var route in routes)
        {
            foreach (var (parameter, value) in route.Match(path) ?? new Dictionary<string, string>())
            {
                _values[(route.Pattern, parameter)] = value;
            }
        }
    }
}
