using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Events;

/// <summary>
/// The CLI events face end to end. Reads by id and by conversation hold the moment a write answers; the timeline, the
/// lists by type and the review queue are derived and are waited for.
/// </summary>
public sealed class EventFlowTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task LoggedEventsAreListedByConversationAndTypeAndReviewedOnesLeaveThePendingQueue()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var conversation = "conv-" + Guid.NewGuid().ToString("N")[..6];
        var types = new[] { "user_message", "assistant_response", "spec_created", "tool_call" };
        var ids = new List<string>();
        for (var i = 0; i < types.Length; i++)
        {
            var stored = await tenant.PostEventAsync(new
            {
                conversation_id = conversation,
                event_type = types[i],
                timestamp = $"2025-03-01T10:00:0{i}Z",
                data = new { step = i, text = $"message {i}" },
            });
            ids.Add(stored.GetProperty("id").GetString()!);
            Assert.Equal(i, stored.GetProperty("data").GetProperty("step").GetInt32());
        }

        var byConversation = await GetAsync(tenant.Ingest, $"/api/events?conversation_id={conversation}");
        Assert.Equal(ids, Ids(byConversation));
        Assert.Equal(JsonValueKind.Null, byConversation.GetProperty("next_cursor").ValueKind);
        var newestFirst = await GetAsync(tenant.Ingest, $"/api/events?conversation_id={conversation}&order=desc");
        Assert.Equal(Enumerable.Reverse(ids), Ids(newestFirst));

        await Eventually.HoldsAsync("the spec is listed by its type", async () => Ids(await GetAsync(tenant.Ingest, "/api/events?event_type=spec_created")).SequenceEqual([ids[2]]));
        await Eventually.HoldsAsync("both review types are pending", async () => Ids(await GetAsync(tenant.Review, "/api/feedback/pending")).SequenceEqual([ids[1], ids[2]]));
        var pending = await GetAsync(tenant.Review, "/api/feedback/pending");
        Assert.Equal("message 1", pending.GetProperty("events")[0].GetProperty("data").GetProperty("text").GetString());

        using var verdict = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = ids[1], feedback_message = "Looks right", status = "approved" });
        var feedback = await ApiAssert.JsonAsync(verdict, HttpStatusCode.Created);
        Assert.Equal("approved", feedback.GetProperty("status").GetString());

        // The judged event leaves the list at once (each entry is checked against its event); its bucket follows.
        Assert.Equal([ids[2]], Ids(await GetAsync(tenant.Review, "/api/feedback/pending")));
        var read = await GetAsync(tenant.Review, $"/api/feedback?event_id={ids[1]}");
        var only = Assert.Single(read.GetProperty("feedback").EnumerateArray());
        Assert.Equal("Looks right", only.GetProperty("feedback_message").GetString());
        var approvedEvent = await GetAsync(tenant.Ingest, $"/api/events/{ids[1]}");
        Assert.Equal("approved", approvedEvent.GetProperty("review_status").GetString());
    }

    [Fact]
    public async Task FeedbackIsListedNewestFirstAndPendingFeedbackKeepsTheEventInTheQueue()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var stored = await tenant.PostEventAsync(new { conversation_id = "c1", event_type = "assistant_response", data = new { } });
        var id = stored.GetProperty("id").GetString()!;

        using var first = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = id, feedback_message = "first look", status = "pending", submitted_at = "2025-01-01T00:00:00Z" });
        using var second = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = id, feedback_message = "second look", status = "pending", submitted_at = "2025-01-02T00:00:00Z" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);

        var list = await GetAsync(tenant.Review, $"/api/feedback?event_id={id}");
        Assert.Equal(["second look", "first look"], list.GetProperty("feedback").EnumerateArray().Select(f => f.GetProperty("feedback_message").GetString()));
        await Eventually.HoldsAsync("the event is pending", async () => Ids(await GetAsync(tenant.Review, "/api/feedback/pending")).Contains(id));
    }

    [Fact]
    public async Task RequiresFeedbackOverridesTheConfiguredReviewTypes()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var forced = await tenant.PostEventAsync(new { conversation_id = "c", event_type = "tool_call", requires_feedback = true, data = new { } });
        var skipped = await tenant.PostEventAsync(new { conversation_id = "c", event_type = "assistant_response", requires_feedback = false, data = new { } });

        await Eventually.HoldsAsync("the forced event is pending", async () => Ids(await GetAsync(tenant.Review, "/api/feedback/pending")).Contains(forced.GetProperty("id").GetString()!));

        Assert.DoesNotContain(skipped.GetProperty("id").GetString(), Ids(await GetAsync(tenant.Review, "/api/feedback/pending")));
        Assert.True(forced.GetProperty("requires_feedback").GetBoolean());
        Assert.False(skipped.GetProperty("requires_feedback").GetBoolean());
    }

    [Fact]
    public async Task ListingPagesWithAnOpaqueCursorAndFiltersByTime()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        for (var i = 0; i < 7; i++)
        {
            await tenant.PostEventAsync(new { conversation_id = "paged", event_type = "step", timestamp = $"2025-05-0{i + 1}T00:00:00Z", data = new { i } });
        }

        var seen = new List<int>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await GetAsync(tenant.Ingest, $"/api/events?conversation_id=paged&limit=3{(cursor is null ? "" : "&cursor=" + cursor)}");
            seen.AddRange(page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("i").GetInt32()));
            cursor = Cursor(page);
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Range(0, 7), seen);
        Assert.Equal(3, pages);
        var window = await GetAsync(tenant.Ingest, "/api/events?conversation_id=paged&from=2025-05-02T00:00:00Z&to=2025-05-04T00:00:00Z");
        Assert.Equal([1, 2, 3], window.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("i").GetInt32()));
        var windowDesc = await GetAsync(tenant.Ingest, "/api/events?conversation_id=paged&from=2025-05-02T00:00:00Z&to=2025-05-04T00:00:00Z&order=desc");
        Assert.Equal([3, 2, 1], windowDesc.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("i").GetInt32()));
    }

    [Fact]
    public async Task WithoutAConversationTheTenantTimelineIsListed()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "a", event_type = "x", timestamp = "2025-01-01T00:00:00Z", data = new { n = 1 } });
        await tenant.PostEventAsync(new { conversation_id = "b", event_type = "y", timestamp = "2025-01-02T00:00:00Z", data = new { n = 2 } });

        await Eventually.HoldsAsync("the timeline holds both events", async () => (await GetAsync(tenant.Ingest, "/api/events?order=desc")).GetProperty("events").GetArrayLength() == 2);

        var all = await GetAsync(tenant.Ingest, "/api/events?order=desc");
        Assert.Equal([2, 1], all.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task AConversationIdContainingTheKeySeparatorDoesNotLeakIntoAnother()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "a", event_type = "x", data = new { which = "a" } });
        await tenant.PostEventAsync(new { conversation_id = "a|0", event_type = "x", data = new { which = "a|0" } });

        var a = await GetAsync(tenant.Ingest, "/api/events?conversation_id=a");

        Assert.Equal(["a"], a.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("which").GetString()));
    }

    [Fact]
    public async Task EventDataOfFiveMebibytesIsStoredInABlobAndReadBackExactly()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var big = string.Concat(Enumerable.Range(0, 5 * 1024).Select(i => new string((char)('a' + (i % 26)), 1023) + "\n"));
        var stored = await tenant.PostEventAsync(new { conversation_id = "big", event_type = "api_file_created", data = new { content = big, unicode = "héllo ✓" } });
        var id = stored.GetProperty("id").GetString();

        var read = await GetAsync(tenant.Ingest, $"/api/events/{id}");
        var listed = await GetAsync(tenant.Ingest, "/api/events?conversation_id=big");

        Assert.Equal(big, read.GetProperty("data").GetProperty("content").GetString());
        Assert.Equal("héllo ✓", read.GetProperty("data").GetProperty("unicode").GetString());
        Assert.Equal(big, listed.GetProperty("events")[0].GetProperty("data").GetProperty("content").GetString());
    }

    [Fact]
    public async Task AnUnknownEventIsNotFound()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await tenant.Ingest.GetAsync("/api/events/01HZZZZZZZZZZZZZZZZZZZZZZZ");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }
}
