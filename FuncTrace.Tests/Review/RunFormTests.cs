using System.Text;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FuncTrace.Tests.Review;

/// <summary>The eval-run form reads tests from what a person has at hand and says what is wrong before anything is sent.</summary>
[Collection(ReviewBrowser.Collection)]
public sealed class RunFormTests(ReviewBrowser browser)
{
    [Fact]
    public async Task ACsvFileWithQuotedCommasAndLineBreaksIsReadAsItsTests()
    {
        await using var tab = await OpenRunsAsync();

        await tab.Page.GetByLabel("Or a tests file (CSV or JSONL)").SetInputFilesAsync(File("tests.csv", "id,text\n1,\"2+2=4, surely\"\n2,\"a \"\"quoted\"\"\nanswer\"\n3,plain\n"));

        await Expect(tab.Page.GetByText("3 tests ready.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AJsonLinesFileIsReadOneTestALine()
    {
        await using var tab = await OpenRunsAsync();

        await tab.Page.GetByLabel("Or a tests file (CSV or JSONL)").SetInputFilesAsync(File("tests.jsonl", "{\"id\": 1, \"text\": \"a\"}\n{\"id\": \"2\", \"text\": \"b\"}\n"));

        await Expect(tab.Page.GetByText("2 tests ready.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task PastedTestsWithABadIdSayWhichTestIsWrong()
    {
        await using var tab = await OpenRunsAsync();

        await tab.Page.GetByLabel("Tests (JSON)").FillAsync("[{\"id\": 1, \"text\": \"ok\"}, {\"id\": -4, \"text\": \"no\"}]");

        await Expect(tab.Page.GetByText("Test 2: \"id\" must be a positive whole number.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ACsvWithoutAnIdAndTextHeaderIsRefusedBeforeAnythingIsSent()
    {
        await using var tab = await OpenRunsAsync();
        await tab.Page.GetByLabel("Judging matrix").FillAsync("10 = right");
        await tab.Page.GetByLabel("Or a tests file (CSV or JSONL)").SetInputFilesAsync(File("tests.csv", "name,body\n1,x\n"));

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();

        await Expect(tab.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The CSV needs a header row with \"id\" and \"text\" columns.");
        Assert.DoesNotContain(tab.Requests, url => url.Contains("/api/batchScore", StringComparison.Ordinal) && !url.Contains('?', StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartingARunWithoutAJudgingMatrixAsksForOne()
    {
        await using var tab = await OpenRunsAsync();
        await tab.Page.GetByLabel("Tests (JSON)").FillAsync("[{\"id\": 1, \"text\": \"ok\"}]");

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Start run" }).ClickAsync();

        await Expect(tab.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Write the judging matrix: how the judge should score each test.");
        await Expect(tab.Page.GetByLabel("Judging matrix")).ToBeFocusedAsync();
    }

    private async Task<ReviewTab> OpenRunsAsync()
    {
        var key = await browser.App.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest");
        var tab = await browser.OpenAsync();
        await tab.SignInAsync(key);
        await tab.Page.GetByRole(AriaRole.Link, new() { Name = "Eval runs" }).ClickAsync();
        await Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Start a run" })).ToBeVisibleAsync();
        return tab;
    }

    private static FilePayload File(string name, string text) =>
        new() { Name = name, MimeType = name.EndsWith(".csv", StringComparison.Ordinal) ? "text/csv" : "application/x-ndjson", Buffer = Encoding.UTF8.GetBytes(text) };
}
