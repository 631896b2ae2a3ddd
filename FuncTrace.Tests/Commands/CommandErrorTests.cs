using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Commands.CommandClient;

namespace FuncTrace.Tests.Commands;

public sealed class CommandErrorTests(CommandAppFixture fixture) : IClassFixture<CommandAppFixture>
{
    [Fact]
    public async Task AnUnknownCommandTypeIsA400NamingTheKnownOnes()
    {
        using var tenant = await TenantClients.CreateAsync(fixture.App);
        var session = await NewSessionAsync(tenant);

        using var unknown = await SubmitAsync(tenant, session, new { command_type = "shell", parameters = new { cmd = "ls" } });
        using var missing = await SubmitAsync(tenant, session, new { parameters = new { prompt = "x" } });

        var error = (await ApiAssert.ErrorAsync(unknown, HttpStatusCode.BadRequest, "VALIDATION_ERROR")).GetProperty("error");
        Assert.Equal("Unknown 'command_type' 'shell'; the known command types are batch_score, prompt.", error.GetProperty("message").GetString());
        Assert.Equal(["batch_score", "prompt"], error.GetProperty("details").GetProperty("known_types").EnumerateArray().Select(t => t.GetString()));
        var absent = (await ApiAssert.ErrorAsync(missing, HttpStatusCode.BadRequest, "VALIDATION_ERROR")).GetProperty("error");
        Assert.Equal("command_type", absent.GetProperty("details").GetProperty("field").GetString());
        Assert.Empty(await EventsAsync(tenant, session));
    }

    [Theory]
    [InlineData("""{"command_type": "prompt"}""", "parameters.prompt")]
    [InlineData("""{"command_type": "prompt", "parameters": {"prompt": ""}}""", "parameters.prompt")]
    [InlineData("""{"command_type": "prompt", "parameters": {"prompt": 7}}""", "parameters.prompt")]
    [InlineData("""{"command_type": "prompt", "parameters": [1]}""", "parameters")]
    [InlineData("""{"command_type": "prompt", "parameters": {"prompt": "x", "agent_id": "a/b"}}""", "parameters.agent_id")]
    [InlineData("""{"command_type": "prompt", "parameters": {"prompt": "x"}, "metadata": "m"}""", "metadata")]
    [InlineData("""{"command_type": "prompt", "command_id": "bad/id", "parameters": {"prompt": "x"}}""", "command_id")]
    [InlineData("""{"command_type": "batch_score", "parameters": {"tests": [{"id": 1, "text": "t"}]}}""", "parameters.judging_matrix")]
    [InlineData("""{"command_type": "batch_score", "parameters": {"judging_matrix": "m", "tests": []}}""", "tests")]
    public async Task ABadCommandIsA400NamingTheField(string body, string field)
    {
        using var tenant = await TenantClients.CreateAsync(fixture.App);
        var session = await NewSessionAsync(tenant);

        using var response = await tenant.Ingest.PostAsync($"/api/sessions/{session}/commands", TenantClients.Json(body));

        var error = (await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR")).GetProperty("error");
        Assert.Equal(field, error.GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task CommandsOfASessionThatDoesNotExistOrOfAnotherTenantAre404()
    {
        using var tenant = await TenantClients.CreateAsync(fixture.App);
        using var other = await TenantClients.CreateAsync(fixture.App);
        var session = await NewSessionAsync(tenant);

        using var noSession = await SubmitAsync(tenant, "no-such-session", new { command_type = "prompt", parameters = new { prompt = "x" } });
        using var othersSession = await SubmitAsync(other, session, new { command_type = "prompt", parameters = new { prompt = "x" } });
        using var noCommand = await tenant.Review.GetAsync($"/api/sessions/{session}/commands/nope");
        using var readOnly = await tenant.Review.PostAsJsonAsync($"/api/sessions/{session}/commands", new { command_type = "prompt", parameters = new { prompt = "x" } });

        await ApiAssert.ErrorAsync(noSession, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(othersSession, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(noCommand, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(readOnly, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task ABatchIsCheckedWholeBeforeAnyCommandIsQueued()
    {
        using var tenant = await TenantClients.CreateAsync(fixture.App);
        var session = await NewSessionAsync(tenant);
        var good = new { command_type = "prompt", parameters = new { prompt = "x" } };

        using var tooMany = await tenant.Ingest.PostAsJsonAsync($"/api/sessions/{session}/commands/batch", new { commands = Enumerable.Repeat(good, 101) });
        using var empty = await tenant.Ingest.PostAsJsonAsync($"/api/sessions/{session}/commands/batch", new { commands = Array.Empty<object>() });
        using var oneBad = await tenant.Ingest.PostAsJsonAsync($"/api/sessions/{session}/commands/batch", new { commands = new object[] { good, new { command_type = "nope" } } });
        using var twice = await tenant.Ingest.PostAsJsonAsync($"/api/sessions/{session}/commands/batch", new { commands = new[] { new { command_id = "a", command_type = "prompt" , parameters = new { prompt = "x" } }, new { command_id = "a", command_type = "prompt", parameters = new { prompt = "x" } } } });

        await ApiAssert.ErrorAsync(tooMany, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(empty, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        var bad = (await ApiAssert.ErrorAsync(oneBad, HttpStatusCode.BadRequest, "VALIDATION_ERROR")).GetProperty("error");
        Assert.Equal(1, bad.GetProperty("details").GetProperty("index").GetInt32());
        Assert.StartsWith("commands[1]: Unknown 'command_type' 'nope'", bad.GetProperty("message").GetString(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(twice, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(await EventsAsync(tenant, session));
    }

    [Theory]
    [InlineData("GET", "/api/commands/handlers")]
    [InlineData("POST", "/api/commands/handlers")]
    [InlineData("DELETE", "/api/commands/handlers/my-handler")]
    public async Task HandlerRegistrationIsA501ThatSaysWhyAndNamesTheBuiltInTypes(string method, string path)
    {
        using var tenant = await TenantClients.CreateAsync(fixture.App);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = TenantClients.Json("""{"name": "my-handler", "code": "rm -rf /"}""");
        }

        using var response = await tenant.Ingest.SendAsync(request);

        var message = (await ApiAssert.ErrorAsync(response, HttpStatusCode.NotImplemented, "NOT_IMPLEMENTED")).GetProperty("error").GetProperty("message").GetString();
        Assert.Contains("never runs code a client sends", message, StringComparison.Ordinal);
        Assert.Contains("batch_score, prompt", message, StringComparison.Ordinal);
    }
}
