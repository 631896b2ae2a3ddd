using System.Net;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FuncTrace.Tests.Review;

/// <summary>Event data is written by clients: markup in it reaches the reviewer as text, and nothing in it runs.</summary>
[Collection(ReviewBrowser.Collection)]
public sealed class HostileDataTests(ReviewBrowser browser)
{
    private const string Img = "<img src=x onerror=window.pwned=1>";
    private const string Script = "<script>window.pwned=2;alert(2)</script>";

    [Fact]
    public async Task MarkupInAnEventItsConversationAndItsArtifactIsShownAsTextAndNothingRuns()
    {
        using var tenant = await ReviewTenant.CreateAsync(browser.App);
        // Ids and types refuse '/', so the script tags go where any text is accepted: data, metadata, model, user.
        var conversation = $"chat {Img}";
        var type = $"tool_result{Img}";
        await tenant.EventAsync(new { conversation_id = conversation, event_type = "user_message", role = "user", data = new { message = $"Hello {Script}" } });
        var hostile = await tenant.EventAsync(new
        {
            conversation_id = conversation,
            event_type = type,
            requires_feedback = true,
            model = Script,
            user = Img,
            data = new { output = $"{Script}{Img}", nested = new { html = "<iframe src=javascript:alert(3)></iframe>" } },
            metadata = new { note = Script },
        });
        using (var refused = await tenant.Client.PutAsync($"/api/events/{hostile}/artifacts/{Uri.EscapeDataString(Img)}", new StringContent("x")))
        {
            await ApiAssert.ErrorAsync(refused, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        }
        await tenant.ArtifactAsync(hostile, "page.html", "text/html", $"<html><body>{Script}{Img}</body></html>");
        await tenant.WaitForPendingAsync(1);
        await using var tab = await browser.OpenAsync();
        var page = tab.Page;
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => { dialogs.Add(dialog.Message); _ = dialog.DismissAsync(); };
        await tab.SignInAsync(tenant.Key);

        await page.GetByRole(AriaRole.Button, new() { Name = "Claim next" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"{type} in {conversation}" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await page.Locator("#conversation summary", new() { HasText = "Metadata" }).ClickAsync();
        await page.Locator("#conversation summary", new() { HasText = "Event data" }).ClickAsync();

        var item = page.Locator("#item");
        await Expect(item.Locator(".artifact-preview")).ToHaveTextAsync($"<html><body>{Script}{Img}</body></html>");
        await Expect(page.Locator("#conversation li.chat.user .bubble")).ToHaveTextAsync($"Hello {Script}");
        await Expect(item.GetByText($"\"{Script}{Img}\"")).ToBeVisibleAsync();
        await Expect(item.GetByText("\"<iframe src=javascript:alert(3)></iframe>\"")).ToBeVisibleAsync();
        await Expect(page.Locator("#item-meta")).ToContainTextAsync($"Model{Script}");
        await Expect(page.Locator("#item-meta")).ToContainTextAsync($"User{Img}");
        await Expect(page.Locator("#upcoming-table")).ToContainTextAsync(conversation);
        await page.WaitForTimeoutAsync(500);
        Assert.Null(await page.EvaluateAsync<int?>("() => window.pwned ?? null"));
        Assert.Empty(dialogs);
        Assert.Equal(0, await page.Locator("img[src=x], iframe, #main script").CountAsync());
        Assert.Equal(1, await page.Locator("script").CountAsync());
        Assert.DoesNotContain(tab.ConsoleErrors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || e.Contains("TrustedHTML", StringComparison.Ordinal));
        await tab.ScreenshotAsync("hostile-1440");
    }
}
