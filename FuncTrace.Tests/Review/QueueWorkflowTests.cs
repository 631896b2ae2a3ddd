using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FuncTrace.Tests.Review;

/// <summary>Working the real review queue in the browser, by keyboard, and checking through the API what was stored.</summary>
[Collection(ReviewBrowser.Collection)]
public sealed class QueueWorkflowTests(ReviewBrowser browser)
{
    [Fact]
    public async Task AReviewerClaimsAndApprovesByKeyboardAndTheQueueShrinks()
    {
        using var tenant = await ReviewTenant.CreateAsync(browser.App);
        var first = await tenant.ExchangeAsync("refund-41", "Can I get a refund after 30 days?", "Refunds are possible within 60 days of purchase.");
        await tenant.ExchangeAsync("refund-42", "Where is my invoice?", "Invoices are under Settings, Billing.");
        await tenant.WaitForPendingAsync(2);
        await using var tab = await browser.OpenAsync();
        var page = tab.Page;
        await tab.SignInByKeyboardAsync(tenant.Key);
        await Expect(page.Locator("#pending-count")).ToHaveTextAsync("2");

        await page.Keyboard.PressAsync("n");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "assistant_response in refund-41" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Timer)).ToHaveTextAsync(new Regex("^Claimed for you: [45]:[0-5][0-9] left$"));
        var conversation = page.Locator("#conversation");
        await Expect(conversation.Locator("li.chat.user")).ToContainTextAsync("Can I get a refund after 30 days?");
        await Expect(conversation.Locator("li.chat.assistant.current")).ToContainTextAsync("Refunds are possible within 60 days of purchase.");
        await Expect(page.Locator("#upcoming-table tr.mine")).ToContainTextAsync("refund-41");
        await page.Keyboard.PressAsync("c");
        await Expect(page.GetByLabel("Comment (optional)")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Right, and says where the policy is.");
        await page.Keyboard.PressAsync("Escape");
        await page.Keyboard.PressAsync("a");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "assistant_response in refund-42" })).ToBeVisibleAsync();
        await Expect(page.Locator("#queue-status")).ToHaveTextAsync($"Approved {first}.");
        await Expect(page.Locator("#pending-count")).ToHaveTextAsync("1");
        await Expect(page.Locator("#done-count")).ToHaveTextAsync("1");
        await Expect(page.Locator("#upcoming-table tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#upcoming-table")).Not.ToContainTextAsync("refund-41");
        var judged = await tenant.ReadEventAsync(first);
        Assert.Equal("approved", judged.GetProperty("review_status").GetString());
        var verdict = Assert.Single(await tenant.FeedbackAsync(first));
        Assert.Equal("approved", verdict.GetProperty("status").GetString());
        Assert.Equal("Right, and says where the policy is.", verdict.GetProperty("feedback_message").GetString());
        Assert.Equal(await KeyIdAsync(tenant.Client), verdict.GetProperty("reviewer").GetString());
    }

    [Fact]
    public async Task SkippingReleasesTheLeaseSoAnotherReviewerCanClaimTheEvent()
    {
        using var tenant = await ReviewTenant.CreateAsync(browser.App);
        var skipped = await tenant.ExchangeAsync("order-7", "Cancel my order", "Your order was cancelled.");
        var next = await tenant.ExchangeAsync("order-8", "Change my address", "Your address was changed.");
        await tenant.WaitForPendingAsync(2);
        using var other = browser.App.ClientWithKey(await tenant.KeyAsync("review"));
        await using var tab = await browser.OpenAsync();
        var page = tab.Page;
        await tab.SignInByKeyboardAsync(tenant.Key);
        await page.Keyboard.PressAsync("n");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "assistant_response in order-7" })).ToBeVisibleAsync();
        using var whileHeld = await other.PostAsync("/api/feedback/pending/claim", null);
        var othersFirst = (await ApiAssert.JsonAsync(whileHeld, HttpStatusCode.OK)).GetProperty("event").GetProperty("id").GetString();
        using var releaseTheirs = await other.PostAsync($"/api/feedback/pending/{othersFirst}/release", null);

        await page.Keyboard.PressAsync("s");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "assistant_response in order-8" })).ToBeVisibleAsync();
        await Expect(page.Locator("#queue-status")).ToHaveTextAsync($"Skipped {skipped}; it is back in the queue.");
        using var claim = await other.PostAsync("/api/feedback/pending/claim", null);
        var claimed = await ApiAssert.JsonAsync(claim, HttpStatusCode.OK);
        using var nothingElse = await other.PostAsync("/api/feedback/pending/claim", null);
        Assert.Equal(next, othersFirst);
        Assert.Equal(HttpStatusCode.NoContent, releaseTheirs.StatusCode);
        Assert.Equal(skipped, claimed.GetProperty("event").GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NoContent, nothingElse.StatusCode);
        Assert.Equal("pending", (await tenant.ReadEventAsync(skipped)).GetProperty("review_status").GetString());
        Assert.Empty(await tenant.FeedbackAsync(skipped));
    }

    [Fact]
    public async Task AReviewerWorksAQueueOfTwentyEventsByKeyboardAlone()
    {
        using var tenant = await ReviewTenant.CreateAsync(browser.App);
        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i <= 20; i++)
        {
            answers[$"ticket-{i:00}"] = await tenant.ExchangeAsync($"ticket-{i:00}", $"Question {i}?", $"Answer {i}.");
        }
        await tenant.WaitForPendingAsync(20);
        await using var tab = await browser.OpenAsync();
        var page = tab.Page;
        await tab.SignInByKeyboardAsync(tenant.Key);
        await page.Keyboard.PressAsync("n");

        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        var title = page.Locator("#item-title");
        for (var i = 0; i < 20; i++)
        {
            await Expect(title).ToHaveTextAsync(new Regex("^assistant_response in ticket-\\d\\d$"));
            var shown = (await title.TextContentAsync())!["assistant_response in ".Length..];
            Assert.DoesNotContain(shown, given.Keys);
            if (i % 4 == 3)
            {
                given[shown] = "rejected";
                await page.Keyboard.PressAsync("c");
                await page.Keyboard.TypeAsync("Too vague.");
                await page.Keyboard.PressAsync("Escape");
                await page.Keyboard.PressAsync("r");
            }
            else
            {
                given[shown] = "approved";
                await page.Keyboard.PressAsync("a");
            }
            if (i < 19)
            {
                await Expect(title).Not.ToHaveTextAsync($"assistant_response in {shown}");
            }
        }

        await Expect(page.Locator("#queue-status")).ToContainTextAsync("Nothing else is waiting for review.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Claim next" })).ToBeFocusedAsync();
        await Expect(page.Locator("#pending-count")).ToHaveTextAsync("0");
        await Expect(page.Locator("#done-count")).ToHaveTextAsync("20");
        Assert.Equal(answers.Keys.Order(), given.Keys.Order());
        foreach (var (conversation, status) in given)
        {
            Assert.Equal(status, (await tenant.ReadEventAsync(answers[conversation])).GetProperty("review_status").GetString());
        }
        Assert.Equal(5, given.Values.Count(v => v == "rejected"));
    }

    private static async Task<string> KeyIdAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("key_id").GetString()!;
}
