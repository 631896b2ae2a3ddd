using System.Text.Json;
using FuncTrace.Tests.BatchScoring;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FuncTrace.Tests.Review;

/// <summary>Past eval runs are listed, and an opened run's results download as the CSV and JSON a spreadsheet or script reads.</summary>
[Collection(ReviewBrowser.Collection)]
public sealed class EvalRunResultsTests(ReviewBrowser browser)
{
    [Fact]
    public async Task PastRunsAreListedNewestFirstAndAnOpenedRunsResultsDownloadAsCsvAndJson()
    {
        using var tenant = await ReviewTenant.CreateAsync(browser.App);
        var older = await BatchScoreClient.StartAndWaitAsync(tenant.Client, [new { id = 1, text = "want 4 plain" }, new { id = 2, text = "garbled twice" }, new { id = 3, text = "want 7 yes, with a comma" }]);
        var newer = await BatchScoreClient.StartAndWaitAsync(tenant.Client, [new { id = 1, text = "want 9" }]);
        var failure = (await BatchScoreClient.StatusAsync(tenant.Client, older)).GetProperty("failures")[0].GetProperty("error").GetString()!;
        await using var tab = await browser.OpenAsync();
        var page = tab.Page;
        await tab.SignInAsync(tenant.Key);

        await page.GetByRole(AriaRole.Link, new() { Name = "Eval runs" }).ClickAsync();

        var past = page.Locator("#past-runs-table tbody tr");
        await Expect(past).ToHaveCountAsync(2);
        await Expect(past.Nth(0)).ToContainTextAsync($"{newer}");
        await Expect(past.Nth(0)).ToContainTextAsync("completed1 / 1");
        await Expect(past.Nth(1)).ToContainTextAsync($"{older}");
        await Expect(past.Nth(1)).ToContainTextAsync("completed3 / 3");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Open run {older}" }).ClickAsync();
        await Expect(page.Locator("#run-state")).ToHaveTextAsync("3 of 3 tests done (100%). Finished: 2 scored, 1 failed.");

        var csv = await DownloadAsync(page, "Download CSV");
        Assert.Equal($"{older}-results.csv", csv.Name);
        Assert.Equal(
            $"id,score,reasoning,error\r\n1,4,Judged: want 4 plain,\r\n2,,,{Csv(failure)}\r\n3,7,\"Judged: want 7 yes, with a comma\",\r\n",
            csv.Text);

        var json = await DownloadAsync(page, "Download JSON");
        Assert.Equal($"{older}-results.json", json.Name);
        var results = JsonDocument.Parse(json.Text).RootElement;
        Assert.Equal(older, results.GetProperty("jobId").GetString());
        Assert.Equal(
            [(1L, (int?)4, "Judged: want 4 plain", ""), (2L, null, "", failure), (3L, 7, "Judged: want 7 yes, with a comma", "")],
            results.GetProperty("results").EnumerateArray().Select(r => (
                r.GetProperty("id").GetInt64(),
                r.GetProperty("score").ValueKind == JsonValueKind.Null ? (int?)null : r.GetProperty("score").GetInt32(),
                r.GetProperty("reasoning").GetString(),
                r.GetProperty("error").GetString())));
    }

    private static async Task<(string Name, string Text)> DownloadAsync(IPage page, string button)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync());
        return (download.SuggestedFilename, await File.ReadAllTextAsync(await download.PathAsync()));
    }

    private static string Csv(string text) => text.Contains(',', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal) ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
}
