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
    public async Task EveryScreenFitsTheWindowAndIsSavedAsAScreenshot(int width)
    {
        var key = await browser.App.CreateKeyAsync(FuncTraceApp.NewTenant(), "review", "ingest");
        await using var tab = await browser.OpenAsync(width);
        var page = tab.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await tab.ScreenshotAsync($"sign-in-{width}");
        await AssertFitsAsync(page, "sign in", width);

        await tab.SignInAsync(key);
        foreach (var (link, heading, name) in new[] { ("Queue", "Review queue", "queue"), ("Eval runs", "Eval runs", "runs"), ("Usage", "Usage, last 30 days", "usage") })
        {
            await page.GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true })).ToBeVisibleAsync();
            await tab.ScreenshotAsync($"{name}-{width}");
            await AssertFitsAsync(page, name, width);
        }
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

    private static async Task AssertFitsAsync(IPage page, string screen, int width)
    {
        var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= width, $"The {screen} screen is {scrollWidth} px wide in a {width} px window.");
    }
}
