using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.BatchScoring;
using Microsoft.Playwright;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, driven by Playwright (never a browser of Playwright's own), headless with a fresh profile, in
/// front of one app whose judge is the fake LLM (answering as <see cref="BatchScoreAppFixture.Judge"/> unless a test
/// says otherwise). Browser tests share it through <see cref="Collection"/> and run one after another; each test opens
/// its own page, which has its own session storage, so every test starts signed out, and works in a tenant of its own.
/// </summary>
public sealed class ReviewBrowser : IAsyncLifetime
{
    public const string Collection = "Reviewer page in Chromium";
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    private readonly string _profile = Directory.CreateTempSubdirectory("functrace-chromium-").FullName;
    private IPlaywright? _playwright;
    private IBrowserContext? _browser;
    private FakeOpenAiServer? _judge;
    private FuncTraceApp? _app;

    public FuncTraceApp App => _app ?? throw new InvalidOperationException("Not started.");

    /// <summary>The fake LLM the app judges with; a test that changes its answers calls <see cref="ResetJudge"/> when done.</summary>
    public FakeOpenAiServer Judge => _judge ?? throw new InvalidOperationException("Not started.");

    public void ResetJudge()
    {
        Judge.Reset();
        Judge.Fallback = BatchScoreAppFixture.Judge;
    }

    /// <summary>Where screenshots go: beside the test assembly, so they travel with the test output.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is not at {ChromiumPath}: scripts/test.sh installs Debian's chromium package with apt-get when it is missing.");
        }
        _judge = await FakeOpenAiServer.StartAsync();
        ResetJudge();
        var settings = _judge.AppSettings();
        foreach (var (name, value) in BatchScoreAppFixture.QuickQueueSettings())
        {
            settings[name] = value;
        }
        _app = FuncTraceApp.WithSettings(settings);
        await _app.StartAsync();
        _playwright = await Playwright.CreateAsync();
        // A persistent context is the one launch that takes the profile folder we give it (Playwright refuses --user-data-dir in Args).
        _browser = await _playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            AcceptDownloads = true,
        });
        _browser.SetDefaultTimeout(15_000);
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_judge is not null)
        {
            await _judge.DisposeAsync();
        }
        Directory.Delete(_profile, recursive: true);
    }

    /// <summary>A new tab at <paramref name="width"/> px with the page loaded, its requests and console errors recorded.</summary>
    public Task<ReviewTab> OpenAsync(int width = 1440, int height = 900) => OpenAsync(App, width, height);

    /// <summary>The same, on another app (one with other settings).</summary>
    public async Task<ReviewTab> OpenAsync(FuncTraceApp app, int width = 1440, int height = 900)
    {
        ArgumentNullException.ThrowIfNull(app);
        var page = await _browser!.NewPageAsync();
        await page.SetViewportSizeAsync(width, height);
        var tab = new ReviewTab(page, app.BaseAddress);
        await page.GotoAsync(new Uri(app.BaseAddress, "review").ToString());
        return tab;
    }
}

/// <summary>One browser tab on the reviewer page, with what it asked for and what it complained about.</summary>
public sealed class ReviewTab : IAsyncDisposable
{
    private readonly List<string> _requests = [];
    private readonly List<string> _consoleErrors = [];

    public ReviewTab(IPage page, Uri origin)
    {
        ArgumentNullException.ThrowIfNull(page);
        Page = page;
        Origin = origin;
        page.Request += (_, request) => { lock (_requests) { _requests.Add(request.Url); } };
        page.Console += (_, message) => { if (message.Type == "error") { lock (_consoleErrors) { _consoleErrors.Add(message.Text); } } };
        page.PageError += (_, error) => { lock (_consoleErrors) { _consoleErrors.Add(error); } };
    }

    public IPage Page { get; }
    public Uri Origin { get; }

    public IReadOnlyList<string> Requests { get { lock (_requests) { return _requests.ToList(); } } }
    public IReadOnlyList<string> ConsoleErrors { get { lock (_consoleErrors) { return _consoleErrors.ToList(); } } }

    public async Task SignInAsync(string key)
    {
        await Page.GetByLabel("API key").FillAsync(key);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Signs in as a reviewer without a mouse: the key field has the keyboard when the page opens; type, Enter.</summary>
    public async Task SignInByKeyboardAsync(string key)
    {
        await Assertions.Expect(Page.GetByLabel("API key")).ToBeFocusedAsync();
        await Page.Keyboard.TypeAsync(key);
        await Page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" })).ToBeVisibleAsync();
    }

    /// <summary>A full-page PNG under the test output's screenshots folder, taken from the top so sticky panels sit where a reader first sees them.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(ReviewBrowser.ScreenshotFolder, name + ".png");
        await Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync() => await Page.CloseAsync();
}

[CollectionDefinition(ReviewBrowser.Collection)]
public sealed class ReviewBrowserCollection : ICollectionFixture<ReviewBrowser>;
