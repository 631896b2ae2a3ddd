using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Conversations;

public sealed class ConversationExportTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task TheJsonExportHoldsTheSummaryAndEveryEventInOrderAcrossPages()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var start = DateTimeOffset.Parse("2025-05-01T00:00:00Z", CultureInfo.InvariantCulture);
        var events = Enumerable.Range(0, 250).Select(i => new
        {
            conversation_id = "big",
            event_type = i % 2 == 0 ? "user_message" : "assistant_response",
            timestamp = start.AddSeconds(i).ToString("o", CultureInfo.InvariantCulture),
            data = new { message = $"m{i}" },
        });
        using var posted = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events });
        Assert.Equal(250, (await ApiAssert.JsonAsync(posted, HttpStatusCode.MultiStatus)).GetProperty("created").GetInt32());
        await ConversationTests.WaitForAsync(tenant, "/api/conversations/big", r => ConversationTests.EventCount(r.GetProperty("conversation")) == 250);

        using var response = await tenant.Review.GetAsync("/api/conversations/big/export?format=json");

        var export = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment; filename=\"conversation-big.json\"", response.Content.Headers.ContentDisposition?.ToString());
        Assert.Equal("big", export.GetProperty("conversation").GetProperty("conversation_id").GetString());
        Assert.Equal(250, export.GetProperty("conversation").GetProperty("event_count").GetInt64());
        Assert.True(export.GetProperty("exported_at").TryGetDateTimeOffset(out _));
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"m{i}"), export.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("message").GetString()));
        Assert.Equal("user_message", export.GetProperty("events")[0].GetProperty("event_type").GetString());
    }

    [Fact]
    public async Task TheMarkdownExportShowsWhoSaidWhatAndOtherEventsAsFencedJson()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "md-1", event_type = "user_message", timestamp = "2025-05-02T08:00:00Z", data = new { message = "How do I reset it?" } });
        await tenant.PostEventAsync(new { conversation_id = "md-1", event_type = "tool_call", timestamp = "2025-05-02T08:00:01Z", data = new { code = "```inner fence```" } });
        await tenant.PostEventAsync(new { conversation_id = "md-1", event_type = "assistant_response", role = "assistant", model = "gpt-4o", timestamp = "2025-05-02T08:00:02Z", data = new { response = "Hold the button." } });
        await ConversationTests.WaitForAsync(tenant, "/api/conversations/md-1", r => ConversationTests.EventCount(r.GetProperty("conversation")) == 3);

        using var response = await tenant.Ingest.GetAsync("/api/conversations/md-1/export?format=markdown");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/markdown", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment; filename=\"conversation-md-1.md\"", response.Content.Headers.ContentDisposition?.ToString());
        Assert.StartsWith("# How do I reset it?\n\n- Conversation: `md-1`\n- Created: 2025-05-02 08:00:00 UTC\n", text, StringComparison.Ordinal);
        Assert.Contains("- Messages: 2, events: 3\n", text, StringComparison.Ordinal);
        Assert.Contains("## User · 2025-05-02 08:00:00 UTC\n\nHow do I reset it?\n", text, StringComparison.Ordinal);
        Assert.Contains("## tool_call · 2025-05-02 08:00:01 UTC\n\n````json\n{\n  \"code\": \"```inner fence```\"\n}\n````\n", text, StringComparison.Ordinal);
        Assert.Contains("## Assistant (gpt-4o) · 2025-05-02 08:00:02 UTC\n\nHold the button.\n", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("## User", StringComparison.Ordinal) < text.IndexOf("## tool_call", StringComparison.Ordinal));
        Assert.True(text.IndexOf("## tool_call", StringComparison.Ordinal) < text.IndexOf("## Assistant", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnExportIsReadableAtOnceWithTheDefaultFormatJson()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "now", event_type = "user_message", data = new { message = "just now" } });

        using var response = await tenant.Ingest.GetAsync("/api/conversations/now/export");

        var export = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("just now", Assert.Single(export.GetProperty("events").EnumerateArray()).GetProperty("data").GetProperty("message").GetString());
    }

    [Fact]
    public async Task ABadFormatAnUnknownConversationAndAnotherTenantsConversationAreRefused()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        using var stranger = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "mine", event_type = "user_message", data = new { message = "secret" } });

        using var badFormat = await tenant.Ingest.GetAsync("/api/conversations/mine/export?format=pdf");
        using var unknown = await tenant.Ingest.GetAsync("/api/conversations/nope/export");
        using var theirs = await stranger.Ingest.GetAsync("/api/conversations/mine/export?format=markdown");

        var error = await ApiAssert.ErrorAsync(badFormat, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("format", error.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(theirs, HttpStatusCode.NotFound, "NOT_FOUND");
    }
}
