using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.FakeOpenAi;
using FuncTrace.Functions.Commands;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static FuncTrace.Tests.Commands.CommandClient;

namespace FuncTrace.Tests.Commands;

/// <summary>The commands queue's messages delivered by the test itself, as often as a queue may deliver them.</summary>
public sealed class CommandRedeliveryTests(CommandsByHandFixture fixture) : IClassFixture<CommandsByHandFixture>
{
    [Fact]
    public async Task AMessageDeliveredTwiceAtOnceAndAgainLaterRunsThePromptOnceAndWritesEachEventOnce()
    {
        fixture.Server.Reset();
        using var tenant = await TenantClients.CreateAsync(fixture.App);
        var session = await NewSessionAsync(tenant);
        fixture.Server.Enqueue(FakeReply.Text("Only once.") with { Delay = TimeSpan.FromMilliseconds(300) });
        var id = (await SubmittedAsync(tenant, session, new { command_type = "prompt", parameters = new { prompt = "Once?" } })).GetProperty("command_id").GetString()!;
        var queue = fixture.App.Queue(StorageNames.CommandsQueue);
        var sent = (await queue.ReceiveMessageAsync()).Value;
        var message = CommandMessage.TryParse(sent.MessageText)!;
        var runner = fixture.App.Services.GetRequiredService<CommandRunner>();

        await Task.WhenAll(runner.RunAsync(message, CancellationToken.None), runner.RunAsync(message, CancellationToken.None));
        await runner.RunAsync(message, CancellationToken.None);
        var command = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/sessions/{session}/commands/{id}");
        var events = await EventsAsync(tenant, session);

        Assert.Equal(id, message.CommandId);
        Assert.Equal("completed", command.GetProperty("status").GetString());
        Assert.Equal("Only once.", command.GetProperty("result").GetProperty("response").GetString());
        Assert.Single(fixture.Server.Requests);
        Assert.Equal(["command_started", "model_call", "command_completed"], Types(events));
    }

    [Fact]
    public async Task AMessageThatArrivesBeforeItsCommandIsStoredIsTriedAgainAndOneForACommandNeverStoredIsDropped()
    {
        using var tenant = await TenantClients.CreateAsync(fixture.App);
        var session = await NewSessionAsync(tenant);
        var runner = fixture.App.Services.GetRequiredService<CommandRunner>();
        var orphan = new CommandMessage(tenant.Tenant, session, "never-stored");

        await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync(orphan, CancellationToken.None));
        await runner.GiveUpAsync(orphan, CancellationToken.None);
        using var read = await tenant.Review.GetAsync($"/api/sessions/{session}/commands/never-stored");

        await ApiAssert.ErrorAsync(read, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Empty(await EventsAsync(tenant, session));
    }
}
