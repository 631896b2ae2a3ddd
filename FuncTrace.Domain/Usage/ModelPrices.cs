using System.Text.RegularExpressions;

namespace FuncTrace.Domain.Usage;

/// <summary>
/// Prices token usage from <see cref="PricingOptions"/>. A dated or <c>-latest</c> model name
/// (<c>gpt-4o-2024-08-06</c>, <c>claude-3-5-sonnet-20241022</c>) takes its base model's price when it has none of its own.
/// </summary>
public sealed partial class ModelPrices(PricingOptions options)
{
    /// <summary>Cost in US dollars, or null when the model has no complete price.</summary>
    public double? Cost(string? model, long promptTokens, long completionTokens)
    {
        if (string.IsNullOrEmpty(model) || Find(model) is not { InputPerMillion: { } input, OutputPerMillion: { } output })
        {
            return null;
        }
        return Math.Round(((promptTokens * input) + (completionTokens * output)) / 1_000_000d, 6);
    }

    private ModelPrice? Find(string model)
    {
        if (options.Models.TryGetValue(model, out var price))
        {
            return price;
        }
        var dated = DatedName().Match(model);
        return dated.Success && options.Models.TryGetValue(dated.Groups["base"].Value, out var basePrice) ? basePrice : null;
    }

    [GeneratedRegex(@"^(?<base>.+?)-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$")]
    private static partial Regex DatedName();
}
