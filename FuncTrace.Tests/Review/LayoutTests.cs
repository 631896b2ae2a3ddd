using FuncTrace.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FuncTrace.Tests.Review;

/// <summary>Every screen at a phone's width and a desktop's: nothing wider than the window, every control labelled, focus visible.</summary>
[Collection(ReviewBrowser.Collection)]
public sealed class LayoutTests(ReviewBrowser browser)
{
    public static TheoryData<int> Widths => new() { 375, 1440 };

    [Theory]
    [MemberData(nameof(Widths))]
    public async Task EveryScreenWithRealDataFitsTheWindowAndIsSavedAsAScreenshot(int width)
    {
        using var tenant = await SeedAsync();
        await using var tab = await browser.OpenAsync(width);
        var page = tab.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await tab.ScreenshotAsync($"sign-in-{width}");
        await AssertFitsAsync(page, "sign in", width);
        await tab.SignInByKeyboardAsync(tenant.Key);

        await page.Keyboard.PressAsync("n");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "assistant_response in support-1042" })).ToBeVisibleAsync();
        await Expect(page.Locator("#conversation-status")).ToContainTextAsync("5 events, 4 messages");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(page.Locator(".artifact-preview")).ToContainTextAsync("Refund policy");
        await tab.ScreenshotAsync($"queue-{width}");
        await AssertFitsAsync(page, "queue", width);

        await page.GetByRole(AriaRole.Link, new() { Name = "Eval runs" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Open run" }).First.ClickAsync();
        await Expect(page.Locator("#run-state")).ToContainTextAsync("Finished: 8 scored, 0 failed.");
        await tab.ScreenshotAsync($"runs-{width}");
        await AssertFitsAsync(page, "runs", width);

        await page.GetByRole(AriaRole.Link, new() { Name = "Usage" }).ClickAsync();
        await Expect(page.Locator("#usage-table tbody tr")).ToHaveCountAsync(2);
        await tab.ScreenshotAsync($"usage-{width}");
        await AssertFitsAsync(page, "usage", width);
    }

    [Fact]
    public async Task EveryVisibleControlHasALabel()
    {
        var key = await browser.App.CreateKeyAsync(FuncTraceApp.NewTenant(), "review", "ingest");
        await using var tab = await browser.OpenAsync();
        await tab.SignInAsync(key);

        foreach (var link in new[] { "Queue", "Eval runs", "Usage" })
        {
            await tab.Page.GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();
            var unlabelled = await tab.Page.EvaluateAsync<string[]>("""
                () => [...document.querySelectorAll('input, textarea, select, button')]
                  .filter((control) => control.checkVisibility())
                  .filter((control) => control.tagName === 'BUTTON'
                    ? control.textContent.trim() === '' && !control.getAttribute('aria-label')
                    : control.labels.length === 0 && !control.getAttribute('aria-label'))
                  .map((control) => control.id || control.outerHTML.slice(0, 80))
                """);
            Assert.Empty(unlabelled);
        }
    }

    [Fact]
    public async Task KeyboardFocusIsVisibleOnEveryControlItReaches()
    {
        var key = await browser.App.CreateKeyAsync(FuncTraceApp.NewTenant(), "review", "ingest");
        await using var tab = await browser.OpenAsync();
        var page = tab.Page;
        await tab.SignInAsync(key);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" })).ToBeVisibleAsync();

        var focused = new List<string>();
        for (var i = 0; i < 14; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            focused.Add(await page.EvaluateAsync<string>("""
                () => { const e = document.activeElement; const s = getComputedStyle(e); return e === document.body ? 'BODY' : `${e.id || e.textContent.trim()}: ${s.outlineStyle} ${s.outlineWidth}`; }
                """));
        }

        Assert.Contains(focused, f => f.StartsWith("claim:", StringComparison.Ordinal));
        Assert.Contains(focused, f => f.StartsWith("filter-conversation:", StringComparison.Ordinal));
        Assert.All(focused.Where(f => f != "BODY"), f => Assert.EndsWith(": solid 3px", f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task QuestionMarkListsTheKeyboardShortcutsAndEscapeClosesThem()
    {
        var key = await browser.App.CreateKeyAsync(FuncTraceApp.NewTenant(), "review");
        await using var tab = await browser.OpenAsync();
        await tab.SignInAsync(key);
        await Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" })).ToBeVisibleAsync();

        await tab.Page.Keyboard.PressAsync("?");

        var dialog = tab.Page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync("Approve, then claim the next item");
        await tab.ScreenshotAsync("keys-1440");
        await tab.Page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
    }

    /// <summary>A tenant with what a reviewer sees on a working day: conversations waiting for review, an artifact, a finished run, a week of usage.</summary>
    private async Task<ReviewTenant> SeedAsync()
    {
        var tenant = await ReviewTenant.CreateAsync(browser.App);
        var now = DateTimeOffset.UtcNow;
        var claimedFirst = await tenant.ExchangeAsync("support-1042", "My parcel arrived damaged. Can I get a refund?", "Sorry about that! You can get a full refund within 60 days: reply with a photo of the damage and your order number.", "gpt-4o", now.AddMinutes(-9));
        await tenant.EventAsync(new { conversation_id = "support-1042", event_type = "tool_call", timestamp = now.AddMinutes(-8), data = new { tool = "lookup_order", arguments = new { order = "A-77812" }, result = new { status = "delivered", carrier = "DHL", items = 2 } } });
        await tenant.ExchangeAsync("support-1042", "Here it is: order A-77812.", "Thanks. I have started refund R-5531 for order A-77812; the money is back on your card in 3 to 5 working days.", "gpt-4o", now.AddMinutes(-7));
        await tenant.ArtifactAsync(claimedFirst, "refund-policy.md", "text/markdown", "# Refund policy\n\nDamaged goods: a full refund within 60 days, with a photo.\n");
        await tenant.ExchangeAsync("onboarding-7", "How do I invite my team?", "Open Settings, then Members, and choose Invite.", "gpt-4o-mini", now.AddMinutes(-5));
        // The week before: model calls that count as usage but wait for no review, so the queue starts at support-1042.
        for (var day = 1; day <= 6; day++)
        {
            await tenant.EventAsync(new
            {
                conversation_id = $"batch-summaries-{day}",
                event_type = "llm_call",
                timestamp = now.AddDays(-day),
                model = day % 2 == 0 ? "gpt-4o" : "gpt-4o-mini",
                usage = new { prompt_tokens = 8_000 * day, completion_tokens = 2_500 * day, total_tokens = 10_500 * day },
                data = new { purpose = "nightly summary" },
            });
        }
        await tenant.WaitForPendingAsync(3);
        await BatchScoring.BatchScoreClient.StartAndWaitAsync(tenant.Client, Enumerable.Range(1, 8).Select(i => (object)new { id = i, text = $"want {(i * 3 % 10) + 1} answer {i}" }).ToArray());
        return tenant;
    }

    private static async Task AssertFitsAsync(IPage page, string screen, int width)
    {
        var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        // The failure names the outermost elements that stick out, which is where a fix starts.
        var wide = scrollWidth <= width ? [] : await page.EvaluateAsync<string[]>("""
            (width) => [...document.querySelectorAll('body *')]
              .filter((e) => e.checkVisibility() && e.getBoundingClientRect().right > width + 1 && !(e.parentElement.getBoundingClientRect().right > width + 1))
              .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} (${Math.round(e.getBoundingClientRect().right)} px)`)
            """, width);
        Assert.True(scrollWidth <= width, $"The {screen} screen is {scrollWidth} px wide in a {width} px window: {string.Join(", ", wide)}.");
    }
}
