using System.Net;
using System.Text;
using System.Text.Json;
using FuncTrace.Functions.Workers;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.Worker;

/// <summary>The Functions host's POST /{FunctionName} to a custom handler, with the payloads it really sends.</summary>
public sealed class QueueInvocationTests : IDisposable
{
    private const string InsertionTime = "2025-06-01T12:30:00+00:00";

    private static readonly Dictionary<string, string?> UnderTheFunctionsHost = new()
    {
        ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7999",
        ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "3",
    };

    private readonly RecordingHandler _handler = new(WorkerApp.NewQueueName(), "RecordingWorker",
        (item, ct) => item.Text.Contains("fail", StringComparison.Ordinal) ? RecordingHandler.Fail(item, ct) : Task.CompletedTask);

    private readonly WorkerApp _app;

    public QueueInvocationTests() => _app = new WorkerApp(_handler, UnderTheFunctionsHost);

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task AJsonQuotedStringMessageIsHandledAsItsTextAndAnsweredWithTheHostsEmptyResult()
    {
        var body = """
            {"Data":{"message":"\"{\\\"jobId\\\":\\\"j1\\\"}\""},
             "Metadata":{"DequeueCount":1,"Id":"\"5ba1e3f8-ca13-45a7\"","InsertionTime":"2025-06-01T12:30:00+00:00",
                         "ExpirationTime":"2025-06-08T12:30:00+00:00","PopReceipt":"\"AgAAAAMAAAA=\"","sys":{"MethodName":"RecordingWorker"}}}
            """;

        using var response = await PostAsync("/RecordingWorker", body);

        var result = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("""{"Outputs":{},"Logs":[],"ReturnValue":null}""", result.GetRawText());
        var item = Assert.Single(_handler.Attempts);
        Assert.Equal("{\"jobId\":\"j1\"}", item.Text);
        Assert.Equal("5ba1e3f8-ca13-45a7", item.MessageId);
        Assert.Equal(1, item.DequeueCount);
        Assert.Equal(DateTimeOffset.Parse(InsertionTime, System.Globalization.CultureInfo.InvariantCulture), item.InsertedOn);
    }

    [Fact]
    public async Task AMessageThatWasJsonArrivesAsAnObjectAndIsHandledAsItsRawText()
    {
        using var response = await PostAsync("/RecordingWorker", Invocation("""{"jobId":"j2","tests":[1,2]}""", dequeueCount: "\"2\""));

        await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        var item = Assert.Single(_handler.Attempts);
        Assert.Equal("""{"jobId":"j2","tests":[1,2]}""", item.Text);
        Assert.Equal(2, item.DequeueCount);
    }

    [Fact]
    public async Task APlainStringMessageIsHandledAsIs()
    {
        using var response = await PostAsync("/RecordingWorker", Invocation("\"just text\""));

        await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("just text", Assert.Single(_handler.Attempts).Text);
    }

    [Fact]
    public async Task AFailingHandlerIsAnswered500WithTheErrorInTheLogsSoTheHostRetries()
    {
        using var response = await PostAsync("/RecordingWorker", Invocation("\"please fail\"", dequeueCount: "2"));

        var result = await ApiAssert.JsonAsync(response, HttpStatusCode.InternalServerError);
        Assert.Contains("cannot handle 'please fail'", Assert.Single(result.GetProperty("Logs").EnumerateArray()).GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("ReturnValue").ValueKind);
        Assert.Empty(_handler.GivenUp);
    }

    [Fact]
    public async Task AFailureOnTheLastAllowedAttemptTellsTheHandlerBeforeAnswering500()
    {
        using var response = await PostAsync("/RecordingWorker", Invocation("\"please fail\"", dequeueCount: "3"));

        await ApiAssert.JsonAsync(response, HttpStatusCode.InternalServerError);
        var (item, reason) = Assert.Single(_handler.GivenUp);
        Assert.Equal(3, item.DequeueCount);
        Assert.Equal("please fail", item.Text);
        Assert.Contains("cannot handle", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvocationWithoutTheMessageBindingIsAValidationError()
    {
        using var response = await PostAsync("/RecordingWorker", """{"Data":{"other":"x"},"Metadata":{"DequeueCount":1,"Id":"a","InsertionTime":"2025-06-01T12:30:00Z"}}""");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Empty(_handler.Attempts);
    }

    [Theory]
    [InlineData("/NoSuchWorker")]
    [InlineData("/api/RecordingWorker")]
    public async Task OnlyRegisteredFunctionNamesOutsideApiAreRoutes(string path)
    {
        using var response = await PostAsync(path, Invocation("\"hello\""));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Empty(_handler.Attempts);
    }

    [Fact]
    public async Task RunningStandaloneTheInvocationRouteIsNotMapped()
    {
        using var standalone = new WorkerApp(_handler, new Dictionary<string, string?> { ["FuncTrace:Worker:Enabled"] = "false" });
        using var client = standalone.Factory.CreateClient();

        using var response = await client.PostAsync("/RecordingWorker", new StringContent(Invocation("\"hello\""), Encoding.UTF8, "application/json"));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Empty(_handler.Attempts);
    }

    [Fact]
    public void TheRegisteredHandlersAreListedForPackaging()
    {
        var functions = _app.Factory.Services.GetRequiredService<QueueHandlers>().Functions;

        Assert.Contains(new QueueFunction("RecordingWorker", _handler.QueueName, "message"), functions);
        Assert.Contains(new QueueFunction("ScoreWorker", "score", "message"), functions);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body)
    {
        using var client = _app.Factory.CreateClient();
        return await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
    }

    private static string Invocation(string messageJson, string dequeueCount = "1") =>
        $$$"""{"Data":{"message":{{{messageJson}}}},"Metadata":{"DequeueCount":{{{dequeueCount}}},"Id":"msg-1","InsertionTime":"{{{InsertionTime}}}"}}""";
}
