using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FuncTrace.Tests.Review;

/// <summary>The usage screen draws what api/usage counted from real events: tokens and cost per day and model.</summary>
[Collection(ReviewBrowser.Collection)]
public sealed class UsageScreenTests(ReviewBrowser browser)
{
    [Fact]
    public async Task TheChartAndTotalsShowTheTenantsTokensAndCostByModelAndDay()
    {
        using var tenant = await ReviewTenant.CreateAsync(browser.App);
        var today = DateTimeOffset.UtcNow;
        await CallAsync(tenant, today.AddDays(-2), "gpt-4o", 1_000_000, 100_000);
        await CallAsync(tenant, today.AddDays(-1), "gpt-4o-mini", 2_000_000, 500_000);
        await CallAsync(tenant, today, "gpt-4o", 200_000, 20_000);
        await CallAsync(tenant, today, "local-llama", 5_000, 1_000);
        await Eventually.HoldsAsync("api/usage counts every call", async () =>
            (await tenant.Client.GetFromJsonAsync<JsonElement>("/api/usage?group_by=day")).GetProperty("totals").GetProperty("total_tokens").GetInt64() == 3_826_000);
        await using var tab = await browser.OpenAsync();
        var page = tab.Page;
        await tab.SignInAsync(tenant.Key);

        await page.GetByRole(AriaRole.Link, new() { Name = "Usage" }).ClickAsync();

        var rows = page.GetByRole(AriaRole.Table, new() { Name = "Totals by model" }).Locator("tbody tr");
        await Expect(rows).ToHaveTextAsync(["gpt-4o-mini2,000,000500,0002,500,000$0.60", "gpt-4o1,200,000120,0001,320,000$4.20", "local-llama5,0001,0006,000no price known"]);
        await Expect(page.Locator("#usage-status")).ToContainTextAsync("No price is known for local-llama: its cost counts as zero.");
        var tokens = page.Locator("#usage-tokens svg");
        await Expect(tokens).ToHaveAttributeAsync("aria-label", "Tokens per day by model");
        Assert.Equal(4, await tokens.Locator("rect").CountAsync());
        await Expect(tokens.Locator("rect title", new() { HasText = $"{Day(today.AddDays(-2))} · gpt-4o: 1.1M" })).ToHaveCountAsync(1);
        await Expect(tokens.Locator("rect title", new() { HasText = $"{Day(today.AddDays(-1))} · gpt-4o-mini: 2.5M" })).ToHaveCountAsync(1);
        await Expect(page.Locator("#usage-cost svg rect title", new() { HasText = $"{Day(today)} · gpt-4o: $0.7" })).ToHaveCountAsync(1);
        await Expect(page.Locator("#usage-legend li")).ToHaveTextAsync(["gpt-4o-mini", "gpt-4o", "local-llama"]);
        await tab.ScreenshotAsync("usage-data-1440");
    }

    private static Task<string> CallAsync(ReviewTenant tenant, DateTimeOffset at, string model, long prompt, long completion) =>
        tenant.EventAsync(new
        {
            conversation_id = $"usage-{model}",
            event_type = "llm_call",
            timestamp = at,
            model,
            usage = new { prompt_tokens = prompt, completion_tokens = completion, total_tokens = prompt + completion },
            data = new { purpose = "summarise" },
        });

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("MM-dd", CultureInfo.InvariantCulture);
}
