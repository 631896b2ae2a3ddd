using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Conversations;

public sealed class ConversationRenameTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task ARenamedConversationKeepsItsTitleInTheSummaryAndTheListWhateverEventsFollow()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "named", event_type = "user_message", timestamp = "2025-03-01T10:00:00Z", data = new { message = "Where is my order?" } });
        await ConversationTests.WaitForAsync(tenant, "/api/conversations", l => ConversationTests.Ids(l) is ["named"]);

        using var renamed = await RenameAsync(tenant, "named", new { title = "  Order 4711  " });
        // An earlier user message would otherwise become the title.
        await tenant.PostEventAsync(new { conversation_id = "named", event_type = "user_message", timestamp = "2025-03-01T09:00:00Z", data = new { message = "Hello" } });
        var read = await ConversationTests.WaitForAsync(tenant, "/api/conversations/named", r => ConversationTests.EventCount(r.GetProperty("conversation")) == 2);
        var listed = await ConversationTests.WaitForAsync(tenant, "/api/conversations", l => ConversationTests.EventCount(l.GetProperty("conversations")[0]) == 2);

        var answer = await ApiAssert.JsonAsync(renamed, HttpStatusCode.OK);
        Assert.Equal("Order 4711", answer.GetProperty("title").GetString());
        Assert.Equal(1, answer.GetProperty("event_count").GetInt64());
        Assert.Equal("Order 4711", read.GetProperty("conversation").GetProperty("title").GetString());
        Assert.Equal("Order 4711", listed.GetProperty("conversations")[0].GetProperty("title").GetString());
        Assert.Single(listed.GetProperty("conversations").EnumerateArray());
    }

    [Fact]
    public async Task RenamingAgainToTheSameTitleChangesNothingAndAnotherTitleReplacesIt()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "twice", event_type = "user_message", data = new { message = "hi" } });
        await ConversationTests.WaitForAsync(tenant, "/api/conversations", l => ConversationTests.Ids(l) is ["twice"]);

        using var first = await RenameAsync(tenant, "twice", new { title = "One" });
        using var again = await RenameAsync(tenant, "twice", new { title = "One" });
        using var other = await RenameAsync(tenant, "twice", new { title = "Two" });

        Assert.Equal("One", (await ApiAssert.JsonAsync(first, HttpStatusCode.OK)).GetProperty("title").GetString());
        Assert.Equal("One", (await ApiAssert.JsonAsync(again, HttpStatusCode.OK)).GetProperty("title").GetString());
        Assert.Equal("Two", (await ApiAssert.JsonAsync(other, HttpStatusCode.OK)).GetProperty("title").GetString());
        var all = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations?include_archived=true");
        Assert.Equal("Two", Assert.Single(all.GetProperty("conversations").EnumerateArray()).GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"title\": null}")]
    [InlineData("{\"title\": \"   \"}")]
    [InlineData("{\"title\": 42}")]
    [InlineData("{\"title\": \"two\\nlines\"}")]
    [InlineData("[\"title\"]")]
    public async Task ABadTitleIsAValidationError(string body)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "x", event_type = "user_message", data = new { message = "x" } });

        using var response = await tenant.Ingest.PatchAsync("/api/conversations/x", TenantClients.Json(body));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task ATitleTooLongTheWrongContentTypeAnUnknownConversationAndAReviewKeyAreRefused()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        using var stranger = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "x", event_type = "user_message", data = new { message = "x" } });

        using var tooLong = await RenameAsync(tenant, "x", new { title = new string('t', 201) });
        using var asText = await tenant.Ingest.PatchAsync("/api/conversations/x", new StringContent("{\"title\": \"t\"}"));
        using var unknown = await RenameAsync(tenant, "nope", new { title = "t" });
        using var otherTenant = await RenameAsync(stranger, "x", new { title = "t" });
        using var byReviewer = await tenant.Review.PatchAsJsonAsync("/api/conversations/x", new { title = "t" });

        var error = await ApiAssert.ErrorAsync(tooLong, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("title", error.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
        await ApiAssert.ErrorAsync(asText, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(otherTenant, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(byReviewer, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.Equal("x", (await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations/x")).GetProperty("conversation").GetProperty("title").GetString());
    }

    private static Task<HttpResponseMessage> RenameAsync(TenantClients tenant, string id, object body) =>
        tenant.Ingest.PatchAsJsonAsync($"/api/conversations/{id}", body);
}
