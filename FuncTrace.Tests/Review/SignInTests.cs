using FuncTrace.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FuncTrace.Tests.Review;

[Collection(ReviewBrowser.Collection)]
public sealed class SignInTests(ReviewBrowser browser)
{
    [Fact]
    public async Task AReviewerSignsInWithAKeyAndSignsOutToForgetIt()
    {
        var key = await browser.App.CreateKeyAsync(FuncTraceApp.NewTenant(), "review");
        await using var tab = await browser.OpenAsync();
        var page = tab.Page;

        await tab.SignInAsync(key);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Claim next" })).ToBeVisibleAsync();
        Assert.Equal(key, await page.EvaluateAsync<string>("() => sessionStorage.getItem('functrace.apiKey')"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Signed out: this tab no longer holds the key.");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => sessionStorage.length"));
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task TheKeyStaysWithTheTabAcrossAReloadButNotWithANewTab()
    {
        var key = await browser.App.CreateKeyAsync(FuncTraceApp.NewTenant(), "review");
        await using var tab = await browser.OpenAsync();
        await tab.SignInAsync(key);
        await Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" })).ToBeVisibleAsync();

        await tab.Page.ReloadAsync();
        await using var other = await browser.OpenAsync();

        await Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" })).ToBeVisibleAsync();
        await Expect(other.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Equal(0, await other.Page.EvaluateAsync<int>("() => document.cookie.length + localStorage.length + sessionStorage.length"));
    }

    [Fact]
    public async Task AnUnknownKeyIsRefusedWithAClearMessageAndNotKept()
    {
        await using var tab = await browser.OpenAsync();

        await tab.SignInAsync("ftk_this-key-does-not-exist");

        await Expect(tab.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("This key is not accepted: it is unknown or has been revoked.");
        await Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Equal(0, await tab.Page.EvaluateAsync<int>("() => sessionStorage.length"));
    }

    [Fact]
    public async Task SigningInWithNoKeyAsksForOne()
    {
        await using var tab = await browser.OpenAsync();

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(tab.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Paste an API key first.");
        await Expect(tab.Page.GetByLabel("API key")).ToBeFocusedAsync();
    }

    [Fact]
    public async Task AKeyWithoutTheReviewRoleIsToldSoInsteadOfGettingTheQueue()
    {
        var key = await browser.App.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest");
        await using var tab = await browser.OpenAsync();

        await tab.SignInAsync(key);

        var page = tab.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("This key does not have the review role");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Claim next" })).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Eval runs" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start run" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task TheBootstrapAdminKeyIsToldItBelongsToNoTenant()
    {
        await using var tab = await browser.OpenAsync();

        await tab.SignInAsync(FuncTraceApp.AdminKey);

        await Expect(tab.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("bootstrap admin key: it belongs to no tenant");
        Assert.Equal(0, await tab.Page.EvaluateAsync<int>("() => sessionStorage.length"));
    }
}
