namespace FuncTrace.Domain.Usage;

/// <summary>A model's price in US dollars per million tokens.</summary>
public sealed class ModelPrice
{
    public double? InputPerMillion { get; set; }
    public double? OutputPerMillion { get; set; }
}

/// <summary>
/// The <c>FuncTrace:Pricing</c> settings: prices per model name (case-insensitive), e.g.
/// <c>FuncTrace__Pricing__Models__gpt-4o__InputPerMillion=2.5</c>. The defaults are list prices of common models
/// when this was written: operators should check them against their own contract and override them here.
/// </summary>
public sealed class PricingOptions
{
    public const string Section = "FuncTrace:Pricing";

    public Dictionary<string, ModelPrice> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-4o"] = Price(2.50, 10.00),
        ["gpt-4o-mini"] = Price(0.15, 0.60),
        ["gpt-4.1"] = Price(2.00, 8.00),
        ["gpt-4.1-mini"] = Price(0.40, 1.60),
        ["gpt-4.1-nano"] = Price(0.10, 0.40),
        ["o1"] = Price(15.00, 60.00),
        ["o3-mini"] = Price(1.10, 4.40),
        ["o4-mini"] = Price(1.10, 4.40),
        ["claude-3-5-sonnet"] = Price(3.00, 15.00),
        ["claude-3-5-haiku"] = Price(0.80, 4.00),
        ["claude-3-7-sonnet"] = Price(3.00, 15.00),
        ["claude-3-opus"] = Price(15.00, 75.00),
    };

    private static ModelPrice Price(double input, double output) => new() { InputPerMillion = input, OutputPerMillion = output };
}
