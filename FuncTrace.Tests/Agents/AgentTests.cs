using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Agents;

public sealed class AgentTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    private async Task<HttpClient> IngestAsync(string? tenant = null) => app.ClientWithKey(await app.CreateKeyAsync(tenant ?? FuncTraceApp.NewTenant(), "ingest"));

    private static readonly object Weather = new
    {
        name = "Weather",
        description = "Forecasts",
        system_prompt = "You forecast.",
        model = "gpt-4o-mini",
        parameters = new { temperature = 0.3, top_p = 0.9, max_tokens = 256, stop = new[] { "END" } },
        tools = new[] { new { name = "get_weather", description = "Weather of a city", parameters = new { type = "object", properties = new { city = new { type = "string" } }, required = new[] { "city" } } } },
    };

    [Fact]
    public async Task AnAgentIsCreatedAndReadBackWithEverythingItWasGiven()
    {
        using var client = await IngestAsync();

        using var created = await client.PostAsJsonAsync("/api/agents", Weather);
        var agent = await ApiAssert.JsonAsync(created, HttpStatusCode.Created);
        var id = agent.GetProperty("id").GetString()!;
        var read = await client.GetFromJsonAsync<JsonElement>($"/api/agents/{id}");

        Assert.Equal($"/api/agents/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("Weather", read.GetProperty("name").GetString());
        Assert.Equal("Forecasts", read.GetProperty("description").GetString());
        Assert.Equal("You forecast.", read.GetProperty("system_prompt").GetString());
        Assert.Equal("gpt-4o-mini", read.GetProperty("model").GetString());
        Assert.Equal("ready", read.GetProperty("status").GetString());
        var parameters = read.GetProperty("parameters");
        Assert.Equal(0.3, parameters.GetProperty("temperature").GetDouble(), 6);
        Assert.Equal(256, parameters.GetProperty("max_tokens").GetInt32());
        Assert.Equal("END", parameters.GetProperty("stop")[0].GetString());
        Assert.False(parameters.TryGetProperty("presence_penalty", out _));
        var tool = Assert.Single(read.GetProperty("tools").EnumerateArray());
        Assert.Equal("get_weather", tool.GetProperty("name").GetString());
        Assert.Equal("city", tool.GetProperty("parameters").GetProperty("required")[0].GetString());
    }

    [Fact]
    public async Task AgentsAreListedInCreationOrderAndPagedWithTheCursor()
    {
        using var client = await IngestAsync();
        foreach (var name in new[] { "a", "b", "c" })
        {
            (await client.PostAsJsonAsync("/api/agents", new { name })).EnsureSuccessStatusCode();
        }

        var first = await client.GetFromJsonAsync<JsonElement>("/api/agents?limit=2");
        var second = await client.GetFromJsonAsync<JsonElement>($"/api/agents?limit=2&cursor={first.GetProperty("next_cursor").GetString()}");

        Assert.Equal(["a", "b"], first.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        Assert.Equal(["c"], second.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task AgentsBelongToTheirTenant()
    {
        using var mine = await IngestAsync();
        using var theirs = await IngestAsync();
        using var created = await mine.PostAsJsonAsync("/api/agents", new { name = "Mine" });
        var id = (await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString();

        using var read = await theirs.GetAsync($"/api/agents/{id}");
        var list = await theirs.GetFromJsonAsync<JsonElement>("/api/agents");

        await ApiAssert.ErrorAsync(read, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal(0, list.GetProperty("agents").GetArrayLength());
    }

    [Fact]
    public async Task PatchChangesOnlyTheFieldsSentAndMergesParameters()
    {
        using var client = await IngestAsync();
        using var created = await client.PostAsJsonAsync("/api/agents", Weather);
        var id = (await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString();

        using var patched = await client.PatchAsJsonAsync($"/api/agents/{id}", new { description = (string?)null, parameters = new { temperature = 1.5, stop = (string?)null } });
        var agent = await ApiAssert.JsonAsync(patched, HttpStatusCode.OK);

        Assert.Equal("Weather", agent.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, agent.GetProperty("description").ValueKind);
        Assert.Equal("You forecast.", agent.GetProperty("system_prompt").GetString());
        Assert.Equal(1.5, agent.GetProperty("parameters").GetProperty("temperature").GetDouble(), 6);
        Assert.Equal(256, agent.GetProperty("parameters").GetProperty("max_tokens").GetInt32());
        Assert.False(agent.GetProperty("parameters").TryGetProperty("stop", out _));
        Assert.Single(agent.GetProperty("tools").EnumerateArray());
        Assert.True(agent.GetProperty("updated_at").GetDateTimeOffset() >= agent.GetProperty("created_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task APatchWithAStaleETagIsAPreconditionFailureAndChangesNothing()
    {
        using var client = await IngestAsync();
        using var created = await client.PostAsJsonAsync("/api/agents", new { name = "v1" });
        var id = (await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString();
        var etag = created.Headers.ETag!.ToString();
        using var first = new HttpRequestMessage(HttpMethod.Patch, $"/api/agents/{id}") { Content = JsonContent.Create(new { name = "v2" }) };
        first.Headers.TryAddWithoutValidation("If-Match", etag);
        using var firstResponse = await client.SendAsync(first);
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);

        using var stale = new HttpRequestMessage(HttpMethod.Patch, $"/api/agents/{id}") { Content = JsonContent.Create(new { name = "v3" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag);
        using var staleResponse = await client.SendAsync(stale);

        await ApiAssert.ErrorAsync(staleResponse, HttpStatusCode.PreconditionFailed, "PRECONDITION_FAILED");
        Assert.Equal("v2", (await client.GetFromJsonAsync<JsonElement>($"/api/agents/{id}")).GetProperty("name").GetString());
        Assert.NotEqual(etag, firstResponse.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task ADeletedAgentIsLeftOutOfListsButStillReadableAndCannotBeChanged()
    {
        using var client = await IngestAsync();
        using var created = await client.PostAsJsonAsync("/api/agents", new { name = "Old" });
        var id = (await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString();

        using var deleted = await client.DeleteAsync($"/api/agents/{id}");
        using var again = await client.DeleteAsync($"/api/agents/{id}");
        using var patch = await client.PatchAsJsonAsync($"/api/agents/{id}", new { name = "New" });

        Assert.Equal("deleted", (await ApiAssert.JsonAsync(deleted, HttpStatusCode.OK)).GetProperty("status").GetString());
        Assert.Equal("deleted", (await ApiAssert.JsonAsync(again, HttpStatusCode.OK)).GetProperty("status").GetString());
        await ApiAssert.ErrorAsync(patch, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/agents")).GetProperty("agents").GetArrayLength());
        Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/api/agents?status=deleted")).GetProperty("agents").GetArrayLength());
        Assert.Equal("deleted", (await client.GetFromJsonAsync<JsonElement>($"/api/agents/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ACreateReplayedWithTheSameIdempotencyKeyReturnsTheFirstAgent()
    {
        using var client = await IngestAsync();
        async Task<HttpResponseMessage> CreateAsync(object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/agents") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", "agent-1");
            return await client.SendAsync(request);
        }

        using var first = await CreateAsync(new { name = "Once" });
        using var replay = await CreateAsync(new { name = "Once" });
        using var other = await CreateAsync(new { name = "Other" });

        var created = await ApiAssert.JsonAsync(first, HttpStatusCode.Created);
        var replayed = await ApiAssert.JsonAsync(replay, HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("id").GetString(), replayed.GetProperty("id").GetString());
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        await ApiAssert.ErrorAsync(other, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("/api/agents")).GetProperty("agents").GetArrayLength());
    }

    public static TheoryData<string, string> InvalidAgents => new()
    {
        { """{}""", "name" },
        { """{"name": ""}""", "name" },
        { """{"name": 5}""", "name" },
        { """{"name": "a", "colour": "red"}""", "colour" },
        { """{"name": "a", "model": "x\u0001"}""", "model" },
        { """{"name": "a", "parameters": []}""", "parameters" },
        { """{"name": "a", "parameters": {"temperature": 2.5}}""", "parameters.temperature" },
        { """{"name": "a", "parameters": {"temperature": "hot"}}""", "parameters.temperature" },
        { """{"name": "a", "parameters": {"top_p": -0.1}}""", "parameters.top_p" },
        { """{"name": "a", "parameters": {"max_tokens": 0}}""", "parameters.max_tokens" },
        { """{"name": "a", "parameters": {"max_tokens": 1.5}}""", "parameters.max_tokens" },
        { """{"name": "a", "parameters": {"stop": ["a", "b", "c", "d", "e"]}}""", "parameters.stop" },
        { """{"name": "a", "parameters": {"presence_penalty": 3}}""", "parameters.presence_penalty" },
        { """{"name": "a", "parameters": {"seed": 1}}""", "parameters.seed" },
        { """{"name": "a", "tools": {}}""", "tools" },
        { """{"name": "a", "tools": [{"description": "no name"}]}""", "tools[0].name" },
        { """{"name": "a", "tools": [{"name": "has space"}]}""", "tools[0].name" },
        { """{"name": "a", "tools": [{"name": "t"}, {"name": "t"}]}""", "tools[1].name" },
        { """{"name": "a", "tools": [{"name": "t", "parameters": "schema"}]}""", "tools[0].parameters" },
        { """{"name": "a", "tools": [{"name": "t", "code": "rm -rf /"}]}""", "tools[0].code" },
    };

    [Theory]
    [MemberData(nameof(InvalidAgents))]
    public async Task AnInvalidAgentIsAValidationErrorNamingTheField(string json, string field)
    {
        using var client = await IngestAsync();

        using var response = await client.PostAsync("/api/agents", new StringContent(json, Encoding.UTF8, "application/json"));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(field, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task AnInvalidPatchIsRefusedAndChangesNothing()
    {
        using var client = await IngestAsync();
        using var created = await client.PostAsJsonAsync("/api/agents", new { name = "Kept", parameters = new { temperature = 1 } });
        var id = (await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString();

        using var badValue = await client.PatchAsJsonAsync($"/api/agents/{id}", new { parameters = new { temperature = 9 } });
        using var noName = await client.PatchAsJsonAsync($"/api/agents/{id}", new { name = (string?)null });
        using var unknown = await client.PatchAsJsonAsync("/api/agents/01ARZ3NDEKTSV4RRFFQ69G5FAV", new { name = "x" });
        using var malformed = await client.PatchAsJsonAsync("/api/agents/not-an-id", new { name = "x" });

        await ApiAssert.ErrorAsync(badValue, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(noName, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(malformed, HttpStatusCode.NotFound, "NOT_FOUND");
        var agent = await client.GetFromJsonAsync<JsonElement>($"/api/agents/{id}");
        Assert.Equal(1, agent.GetProperty("parameters").GetProperty("temperature").GetDouble());
    }

    [Theory]
    [InlineData("/api/agents?status=gone", "status")]
    [InlineData("/api/agents?limit=201", "limit")]
    [InlineData("/api/agents?cursor=xyz", "cursor")]
    public async Task AListWithBadParametersIsAValidationError(string path, string field)
    {
        using var client = await IngestAsync();

        using var response = await client.GetAsync(path);

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(field, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task AReviewKeyReadsAgentsButCannotCreateThem()
    {
        var tenant = FuncTraceApp.NewTenant();
        using var review = app.ClientWithKey(await app.CreateKeyAsync(tenant, "review"));

        using var create = await review.PostAsJsonAsync("/api/agents", new { name = "x" });
        using var list = await review.GetAsync("/api/agents");

        await ApiAssert.ErrorAsync(create, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }
}
