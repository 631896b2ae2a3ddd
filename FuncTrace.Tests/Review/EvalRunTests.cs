using System.Text.Json;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.BatchScoring;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FuncTrace.Tests.Review;

/// <summary>An eval run started and watched in the browser: a real batch job, judged by the fake LLM.</summary>
[Collection(ReviewBrowser.Collection)]
public sealed class EvalRunTests(ReviewBrowser browser)
{
    private const string Tests = """
        [{"id": 1, "text": "want 8 the capital of France is Paris"}, {"id": 2, "text": "want 9 water boils at 100 C"},
         {"id": 3, "text": "want 3 the moon is made of cheese"}, {"id": 4, "text": "held want 7 two plus two is four"},
         {"id": 5, "text": "held want 2 the sun orbits the earth"}, {"id": 6, "text": "held want 10 light is fast"}]
        """;

    [Fact]
    public async Task ARunsProgressBarReachesOneHundredPercentAndSurvivesAReloadMidRun()
    {
        // Tests 4 to 6 are held by the judge until the page has been reloaded, so the reload lands mid-run for certain.
        var judge = new TaskCompletionSource();
        browser.Judge.Fallback = request => request.Messages.Last(m => m.Role == "user").Content.Contains("held", StringComparison.Ordinal)
            ? BatchScoreAppFixture.Judge(request) with { Until = judge.Task }
            : BatchScoreAppFixture.Judge(request);
        try
        {
            using var tenant = await ReviewTenant.CreateAsync(browser.App);
            await using var tab = await browser.OpenAsync();
            var page = tab.Page;
            await tab.SignInAsync(tenant.Key);
            await page.GetByRole(AriaRole.Link, new() { Name = "Eval runs" }).ClickAsync();
            await page.GetByLabel("Judging matrix").FillAsync("10: correct and complete. 1: wrong.");
            await page.GetByLabel("Tests (JSON)").FillAsync(Tests);
            await Expect(page.GetByText("6 tests ready.")).ToBeVisibleAsync();

            await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();

            var progress = page.GetByRole(AriaRole.Progressbar, new() { Name = "Progress" });
            await Expect(progress).ToHaveAttributeAsync("value", "50");
            await Expect(page.Locator("#run-state")).ToContainTextAsync("3 of 6 tests done (50%)");
            await Expect(page.Locator("#run-results tbody tr")).ToHaveCountAsync(3);
            await Expect(page.Locator("#run-results")).ToContainTextAsync("Judged: want 3 the moon is made of cheese");
            var saved = JsonDocument.Parse(await page.EvaluateAsync<string>("() => sessionStorage.getItem('functrace.run')")).RootElement;
            var jobId = saved.GetProperty("jobId").GetString()!;
            Assert.Equal("3.2", saved.GetProperty("lastEventId").GetString());
            await tab.ScreenshotAsync("run-in-progress-1440");
            await page.SetViewportSizeAsync(375, 900);
            await tab.ScreenshotAsync("run-in-progress-375");
            await page.SetViewportSizeAsync(1440, 900);

            await page.ReloadAsync();

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Run {jobId}" })).ToBeVisibleAsync();
            await Expect(progress).ToHaveAttributeAsync("value", "50");
            await Expect(page.Locator("#run-results tbody tr")).ToHaveCountAsync(3);
            await Eventually.HoldsAsync("the reloaded page follows the stream from 3.2", () =>
                tab.Requests.Any(url => url.Contains($"/api/batchScore/{jobId}/events?stream_token=", StringComparison.Ordinal) && url.EndsWith("&lastEventId=3.2", StringComparison.Ordinal)));
            judge.SetResult();

            await Expect(progress).ToHaveAttributeAsync("value", "100");
            await Expect(page.Locator("#run-state")).ToHaveTextAsync("6 of 6 tests done (100%). Finished: 6 scored, 0 failed.");
            var rows = page.Locator("#run-results tbody tr");
            await Expect(rows).ToHaveCountAsync(6);
            await Expect(rows.Nth(5)).ToContainTextAsync("Judged: held want 10 light is fast");
            await Expect(page.Locator("#run-histogram svg")).ToHaveAttributeAsync("aria-label", "Score histogram: 1: 0, 2: 1, 3: 1, 4: 0, 5: 0, 6: 0, 7: 1, 8: 1, 9: 1, 10: 1");
            await Expect(page.Locator("#past-runs-table")).ToContainTextAsync(jobId);
            await Expect(page.Locator("#past-runs-table tbody tr").First).ToContainTextAsync("completed");
            Assert.Equal(6, browser.Judge.Requests.Count(r => r.Messages.Any(m => m.Content.Contains("10: correct and complete.", StringComparison.Ordinal))));
            await tab.ScreenshotAsync("run-done-1440");
        }
        finally
        {
            judge.TrySetResult();
            browser.ResetJudge();
        }
    }

    [Fact]
    public async Task WithoutAJudgeConfiguredTheRunSaysWhichSettingsAreMissing()
    {
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?>());
        await app.StartAsync();
        var key = await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest");
        await using var tab = await browser.OpenAsync(app);
        var page = tab.Page;
        await tab.SignInAsync(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "Eval runs" }).ClickAsync();
        await page.GetByLabel("Judging matrix").FillAsync("10: right");
        await page.GetByLabel("Tests (JSON)").FillAsync("""[{"id": 1, "text": "a"}]""");

        await page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The run did not start:");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("FuncTrace__Llm__Endpoint");
    }
}
