using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Conversations;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Usage;

/// <summary>Usage totals are derived by the views: each test waits until the events it wrote are counted, then asserts exactly.</summary>
public sealed class UsageTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task UsageIsReportedByDayWithCostForKnownModelsAndNullForUnknownOnes()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await PostUsageAsync(tenant, "2025-04-01T08:00:00Z", "a@example.com", "gpt-4o", 1_000_000, 100_000);
        await PostUsageAsync(tenant, "2025-04-01T20:00:00Z", "a@example.com", "gpt-4o-2024-08-06", 1_000_000, 0);
        await PostUsageAsync(tenant, "2025-04-02T08:00:00Z", "b@example.com", "my-local-llama", 500, 50);
        await PostUsageAsync(tenant, "2025-04-05T08:00:00Z", "a@example.com", "gpt-4o-mini", 10, 10);

        var report = await WaitForEventsAsync(tenant, "/api/usage?from=2025-04-01&to=2025-04-02&group_by=day", 3);

        Assert.Equal("day", report.GetProperty("group_by").GetString());
        Assert.Equal("2025-04-01", report.GetProperty("from").GetString());
        Assert.Equal("2025-04-02", report.GetProperty("to").GetString());
        Assert.Equal("USD", report.GetProperty("currency").GetString());
        var lines = report.GetProperty("usage").EnumerateArray().ToList();
        Assert.Equal(["2025-04-01", "2025-04-01", "2025-04-02"], lines.Select(l => l.GetProperty("period").GetString()));
        var gpt4o = lines.Single(l => l.GetProperty("model").GetString() == "gpt-4o");
        Assert.Equal(1_000_000, gpt4o.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(100_000, gpt4o.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(1_100_000, gpt4o.GetProperty("total_tokens").GetInt64());
        Assert.Equal(3.5, gpt4o.GetProperty("cost").GetDouble(), 6);
        Assert.Equal(2.5, lines.Single(l => l.GetProperty("model").GetString() == "gpt-4o-2024-08-06").GetProperty("cost").GetDouble(), 6);
        var unknown = lines.Single(l => l.GetProperty("model").GetString() == "my-local-llama");
        Assert.Equal(JsonValueKind.Null, unknown.GetProperty("cost").ValueKind);
        Assert.Equal(550, unknown.GetProperty("total_tokens").GetInt64());
        Assert.Equal("b@example.com", unknown.GetProperty("user").GetString());
        var totals = report.GetProperty("totals");
        Assert.Equal(2_100_550, totals.GetProperty("total_tokens").GetInt64());
        Assert.Equal(6.0, totals.GetProperty("cost").GetDouble(), 6);
        Assert.Equal(["my-local-llama"], totals.GetProperty("unpriced_models").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task UsageIsReportedByMonthAndFilteredByUserAndModel()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await PostUsageAsync(tenant, "2025-04-01T00:00:00Z", "A@Example.com", "gpt-4.1", 100, 10);
        await PostUsageAsync(tenant, "2025-04-20T00:00:00Z", "a@example.com", "gpt-4.1", 200, 20);
        await PostUsageAsync(tenant, "2025-05-03T00:00:00Z", "a@example.com", "gpt-4.1-mini", 300, 30);
        await PostUsageAsync(tenant, "2025-05-04T00:00:00Z", "b@example.com", "gpt-4.1", 400, 40);
        await WaitForEventsAsync(tenant, "/api/usage?from=2025-04-01&to=2025-05-31&group_by=month", 4);

        var months = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/usage?from=2025-04-15&to=2025-05-31&group_by=month&user=a@EXAMPLE.com");
        var model = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/usage?from=2025-04-01&to=2025-05-31&group_by=month&model=gpt-4.1");

        var lines = months.GetProperty("usage").EnumerateArray().ToList();
        Assert.Equal(["2025-04", "2025-05"], lines.Select(l => l.GetProperty("period").GetString()));
        Assert.Equal(330, lines[0].GetProperty("total_tokens").GetInt64());
        Assert.Equal(2, lines[0].GetProperty("events").GetInt64());
        Assert.Equal("a@example.com", lines[0].GetProperty("user").GetString());
        Assert.Equal("gpt-4.1-mini", lines[1].GetProperty("model").GetString());
        Assert.Equal(
            [("2025-04", "a@example.com", 330L), ("2025-05", "b@example.com", 440L)],
            model.GetProperty("usage").EnumerateArray().Select(l => (l.GetProperty("period").GetString(), l.GetProperty("user").GetString(), l.GetProperty("total_tokens").GetInt64())));
    }

    [Fact]
    public async Task ParallelWritersLoseNoIncrement()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        const int Writers = 24;

        var statuses = await Task.WhenAll(Enumerable.Range(0, Writers).Select(async i =>
        {
            using var response = await tenant.Ingest.PostAsJsonAsync("/api/events", new
            {
                conversation_id = i % 2 == 0 ? "shared" : $"own-{i}", event_type = "assistant_response", user = "busy@example.com", model = "gpt-4o-mini",
                timestamp = "2025-06-10T12:00:00Z", data = new { response = "r" }, usage = new { prompt_tokens = 10, completion_tokens = 5 },
            });
            return response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Created, s));
        var report = await WaitForEventsAsync(tenant, "/api/usage?from=2025-06-10&to=2025-06-10", Writers);
        var day = Assert.Single(report.GetProperty("usage").EnumerateArray());
        Assert.Equal(Writers, day.GetProperty("events").GetInt64());
        Assert.Equal(Writers * 15, day.GetProperty("total_tokens").GetInt64());
        var shared = (await ConversationTests.WaitForAsync(tenant, "/api/conversations/shared", c => ConversationTests.EventCount(c.GetProperty("conversation")) >= Writers / 2)).GetProperty("conversation");
        Assert.Equal(Writers / 2, ConversationTests.EventCount(shared));
        Assert.Equal(Writers / 2 * 15, shared.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        var status = await ConversationTests.WaitForAsync(tenant, "/api/status", s => s.GetProperty("events_ingested").GetInt64() >= Writers);
        Assert.Equal(Writers, status.GetProperty("events_ingested").GetInt64());
    }

    [Fact]
    public async Task ReplayedEventsAndBatchesAreNotCountedTwice()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var single = new
        {
            id = "usage-replay-1", conversation_id = "replay", event_type = "assistant_response", user = "r@example.com", model = "gpt-4o",
            timestamp = "2025-07-01T00:00:00Z", data = new { response = "once" }, usage = new { prompt_tokens = 7, completion_tokens = 3 },
        };
        var batch = Enumerable.Range(0, 12).Select(i => new
        {
            id = $"usage-batch-{i}", conversation_id = "replay", event_type = "assistant_response", user = "r@example.com", model = "gpt-4o",
            timestamp = "2025-07-01T00:00:00Z", data = new { response = "batch" }, usage = new { prompt_tokens = 1, completion_tokens = 1 },
        }).ToList();

        for (var round = 0; round < 2; round++)
        {
            using var one = await tenant.Ingest.PostAsJsonAsync("/api/events", single);
            using var many = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events = batch });
            Assert.Equal(round == 0 ? HttpStatusCode.Created : HttpStatusCode.OK, one.StatusCode);
            Assert.Equal(round == 0 ? 12 : 0, (await ApiAssert.JsonAsync(many, (HttpStatusCode)207)).GetProperty("created").GetInt32());
        }

        var day = Assert.Single((await WaitForEventsAsync(tenant, "/api/usage?from=2025-07-01&to=2025-07-01", 13)).GetProperty("usage").EnumerateArray());
        Assert.Equal(13, day.GetProperty("events").GetInt64());
        Assert.Equal(10 + 24, day.GetProperty("total_tokens").GetInt64());
        var conversation = (await ConversationTests.WaitForAsync(tenant, "/api/conversations/replay", c => ConversationTests.EventCount(c.GetProperty("conversation")) >= 13)).GetProperty("conversation");
        Assert.Equal(13, ConversationTests.EventCount(conversation));
        var status = await ConversationTests.WaitForAsync(tenant, "/api/status", s => s.GetProperty("events_ingested").GetInt64() >= 13);
        Assert.Equal(13, status.GetProperty("events_ingested").GetInt64());
    }

    [Fact]
    public async Task TokenCountsAtTheBoundAreSummedExactlyAndOneAboveItIsRefused()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        const long Bound = 100_000_000;
        for (var i = 0; i < 2; i++)
        {
            await PostUsageAsync(tenant, "2025-10-01T00:00:00Z", "big@example.com", "gpt-4o", Bound, Bound);
        }

        using var above = await tenant.Ingest.PostAsJsonAsync("/api/events", new
        {
            conversation_id = "usage", event_type = "assistant_response", model = "gpt-4o", timestamp = "2025-10-01T00:00:00Z",
            data = new { response = "r" }, usage = new { prompt_tokens = Bound + 1, completion_tokens = 0 },
        });
        await ApiAssert.ErrorAsync(above, HttpStatusCode.BadRequest, "VALIDATION_ERROR");

        var report = await WaitForEventsAsync(tenant, "/api/usage?from=2025-10-01&to=2025-10-01", 2);
        var totals = report.GetProperty("totals");
        Assert.Equal(2 * Bound, totals.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(2 * Bound, totals.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(4 * Bound, totals.GetProperty("total_tokens").GetInt64());
        Assert.Equal(2, totals.GetProperty("events").GetInt64());
        Assert.Equal((2 * 100 * 2.5) + (2 * 100 * 10.0), totals.GetProperty("cost").GetDouble(), 6);
        var monthly = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/usage?from=2025-10-01&to=2025-10-31&group_by=month");
        Assert.Equal(4 * Bound, monthly.GetProperty("totals").GetProperty("total_tokens").GetInt64());
        var conversation = (await ConversationTests.WaitForAsync(tenant, "/api/conversations/usage", c => ConversationTests.EventCount(c.GetProperty("conversation")) >= 2)).GetProperty("conversation");
        Assert.Equal(4 * Bound, conversation.GetProperty("usage").GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task AnotherTenantSeesNoneOfThisUsage()
    {
        using var tenantA = await TenantClients.CreateAsync(app);
        using var tenantB = await TenantClients.CreateAsync(app);
        await PostUsageAsync(tenantA, "2025-08-01T00:00:00Z", "a@example.com", "gpt-4o", 10, 10);
        await WaitForEventsAsync(tenantA, "/api/usage?from=2025-08-01&to=2025-08-01", 1);

        var report = await tenantB.Ingest.GetFromJsonAsync<JsonElement>("/api/usage?from=2025-08-01&to=2025-08-01");

        Assert.Empty(report.GetProperty("usage").EnumerateArray());
        Assert.Equal(0, report.GetProperty("totals").GetProperty("total_tokens").GetInt64());
        Assert.Equal(0, report.GetProperty("totals").GetProperty("cost").GetDouble());
    }

    [Fact]
    public async Task PricesCanBeOverriddenAndAddedBySetting()
    {
        await using var priced = FuncTraceApp.WithSettings(new Dictionary<string, string?>
        {
            ["FuncTrace:Pricing:Models:my-local-llama:InputPerMillion"] = "1",
            ["FuncTrace:Pricing:Models:my-local-llama:OutputPerMillion"] = "2",
            ["FuncTrace:Pricing:Models:GPT-4O:InputPerMillion"] = "5",
        });
        await priced.StartAsync();
        using var tenant = await TenantClients.CreateAsync(priced);
        await PostUsageAsync(tenant, "2025-09-01T00:00:00Z", "a@example.com", "my-local-llama", 1_000_000, 1_000_000);
        await PostUsageAsync(tenant, "2025-09-01T00:00:00Z", "a@example.com", "gpt-4o", 1_000_000, 1_000_000);

        var lines = (await WaitForEventsAsync(tenant, "/api/usage?from=2025-09-01&to=2025-09-01", 2)).GetProperty("usage").EnumerateArray().ToList();

        Assert.Equal(3.0, lines.Single(l => l.GetProperty("model").GetString() == "my-local-llama").GetProperty("cost").GetDouble(), 6);
        Assert.Equal(15.0, lines.Single(l => l.GetProperty("model").GetString() == "gpt-4o").GetProperty("cost").GetDouble(), 6);
    }

    [Theory]
    [InlineData("?group_by=week")]
    [InlineData("?from=2025-05-02&to=2025-05-01")]
    [InlineData("?from=yesterday")]
    [InlineData("?to=2025-13-01")]
    [InlineData("?from=2020-01-01&to=2025-01-01")]
    [InlineData("?from=2015-01-01&to=2025-01-01&group_by=month")]
    public async Task BadUsageQueriesAreValidationErrors(string query)
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await tenant.Ingest.GetAsync("/api/usage" + query);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Theory]
    [InlineData("to=0001-01-01")]
    [InlineData("to=0001-03-01&group_by=month")]
    [InlineData("to=9999-12-31")]
    [InlineData("from=9999-12-31&to=9999-12-31T23:59:59.9999999Z")]
    [InlineData("from=9999-01-01&to=9999-12-31&group_by=month")]
    public async Task UsageReportsAtTheEdgesOfTheCalendarAreServed(string query)
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await tenant.Ingest.GetAsync("/api/usage?" + query);

        var report = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Empty(report.GetProperty("usage").EnumerateArray());
    }

    [Fact]
    public async Task UsageOnTheLastDayOfAPeriodIsCountedInThatPeriodOnly()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await PostUsageAsync(tenant, "2026-03-31T23:00:00Z", "a@example.com", "gpt-4o", 3, 4);
        await PostUsageAsync(tenant, "2026-04-01T00:00:00Z", "a@example.com", "gpt-4o", 100, 100);
        await WaitForEventsAsync(tenant, "/api/usage?from=2026-03-31&to=2026-04-01", 2);

        var daily = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/usage?from=2026-03-31&to=2026-03-31");
        var monthly = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/usage?from=2026-03-01&to=2026-03-31&group_by=month");

        Assert.Equal(7, daily.GetProperty("totals").GetProperty("total_tokens").GetInt64());
        Assert.Equal(7, monthly.GetProperty("totals").GetProperty("total_tokens").GetInt64());
    }

    [Theory]
    [InlineData("meta-llama/Llama-3-70B", "alice@example.com")]
    [InlineData("a\\b#c?d\u0001", "x/y#z?\u001f")]
    [InlineData("||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||", "%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%")]
    public async Task AnEventWhoseModelOrUserNoTableKeyCouldHoldIsCountedUnderItsOwnName(string model, string user)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await PostUsageAsync(tenant, "2026-05-05T10:00:00Z", user, model, 1, 2);

        var report = await WaitForEventsAsync(tenant, "/api/usage?from=2026-05-05&to=2026-05-05", 1);
        var filtered = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/usage?from=2026-05-05&to=2026-05-05&model={Uri.EscapeDataString(model)}&user={Uri.EscapeDataString(user)}");

        foreach (var line in new[] { Assert.Single(report.GetProperty("usage").EnumerateArray()), Assert.Single(filtered.GetProperty("usage").EnumerateArray()) })
        {
            Assert.Equal(model, line.GetProperty("model").GetString());
            Assert.Equal(user, line.GetProperty("user").GetString());
            Assert.Equal(3, line.GetProperty("total_tokens").GetInt64());
        }
    }

    /// <summary>Reads the report until it counts at least <paramref name="events"/> events; returns that report.</summary>
    private static Task<JsonElement> WaitForEventsAsync(TenantClients tenant, string url, long events) =>
        ConversationTests.WaitForAsync(tenant, url, r => r.GetProperty("totals").GetProperty("events").GetInt64() >= events);

    private static async Task PostUsageAsync(TenantClients tenant, string timestamp, string user, string model, long prompt, long completion) =>
        await tenant.PostEventAsync(new
        {
            conversation_id = "usage", event_type = "assistant_response", user, model, timestamp,
            data = new { response = "r" }, usage = new { prompt_tokens = prompt, completion_tokens = completion },
        });
}
