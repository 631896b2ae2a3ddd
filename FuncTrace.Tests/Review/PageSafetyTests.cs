using FuncTrace.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FuncTrace.Tests.Review;

/// <summary>What the browser itself enforces on the page: nothing from outside, and no string turned into HTML.</summary>
[Collection(ReviewBrowser.Collection)]
public sealed class PageSafetyTests(ReviewBrowser browser)
{
    [Fact]
    public async Task ThePageLoadsEverythingFromTheAppAndNothingFromOutside()
    {
        var key = await browser.App.CreateKeyAsync(FuncTraceApp.NewTenant(), "review", "ingest");
        await using var tab = await browser.OpenAsync();
        await tab.SignInAsync(key);
        foreach (var screen in new[] { "Eval runs", "Usage", "Queue" })
        {
            await tab.Page.GetByRole(AriaRole.Link, new() { Name = screen }).ClickAsync();
        }
        await Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" })).ToBeVisibleAsync();

        var origin = tab.Origin.GetLeftPart(UriPartial.Authority);
        Assert.NotEmpty(tab.Requests);
        Assert.All(tab.Requests, url => Assert.StartsWith(origin + "/", url, StringComparison.Ordinal));
        Assert.DoesNotContain(tab.ConsoleErrors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task TheBrowserRefusesToTurnAStringIntoHtmlOnThisPage()
    {
        await using var tab = await browser.OpenAsync();

        var outcome = await tab.Page.EvaluateAsync<string>("""
            () => {
              try {
                document.body.insertAdjacentHTML('beforeend', '<img src=x onerror="window.ran = true">');
                return 'inserted';
              } catch (error) {
                return error.name;
              }
            }
            """);

        Assert.Equal("TypeError", outcome);
        await tab.Page.WaitForTimeoutAsync(200);
        Assert.False(await tab.Page.EvaluateAsync<bool>("() => window.ran === true"));
        Assert.Equal(0, await tab.Page.Locator("img[src=x]").CountAsync());
    }

    [Fact]
    public async Task AnInlineScriptAddedToThePageDoesNotRun()
    {
        await using var tab = await browser.OpenAsync();

        var outcome = await tab.Page.EvaluateAsync<string>("""
            () => {
              try {
                const script = document.createElement('script');
                script.textContent = 'window.ran = true';
                document.body.append(script);
                return 'appended';
              } catch (error) {
                return error.name;
              }
            }
            """);

        await tab.Page.WaitForTimeoutAsync(200);
        Assert.Contains(outcome, new[] { "appended", "TypeError" });
        Assert.False(await tab.Page.EvaluateAsync<bool>("() => window.ran === true"));
    }
}
