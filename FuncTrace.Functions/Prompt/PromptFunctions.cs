using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Prompt;

/// <summary>
/// A system prompt and messages in, the configured model's answer out; with a <c>conversation_id</c> the call is
/// recorded as an <c>llm_prompt</c> event of that conversation.
/// <code>
/// POST api/prompt   Prompt   JSON {"response", "event_id"}, or with Accept: text/event-stream: token events, then done
/// </code>
/// </summary>
public sealed class PromptFunctions(LlmService llm, PromptRecorder recorder, ILogger<PromptFunctions> logger)
{
    private const string PromptRoute = "api/prompt";

    [Function("Prompt")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(PromptRequest), Example = """{"system": "Be brief.", "messages": [{"role": "user", "content": "Hello"}]}""")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/event-stream")]
    public async Task<Results<Ok<PromptResponse>, EmptyHttpResult>> Prompt(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = PromptRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await JsonBody.ReadAsync<PromptRequest>(request, JsonBody.SnakeCase);
        // A prompt naming a conversation is recorded there: the tenant and the id are checked before the call is paid for.
        var tenant = body.ConversationId is null ? null : request.Caller().DataTenant;
        if (body.ConversationId is not null)
        {
            EventValidation.ValidateConversationId(body.ConversationId);
        }
        var cancellationToken = request.HttpContext.RequestAborted;
        if (!EventStream.IsRequested(request))
        {
            var answer = await llm.AnswerAsync(body.System, body.Messages, cancellationToken: cancellationToken);
            var recorded = tenant is null
                ? null
                : await recorder.RecordAsync(tenant, body.ConversationId!, body.System!, body.Messages!, answer.Text, answer.Usage, answer.Model, cancellationToken);
            return TypedResults.Ok(new PromptResponse(answer.Text, recorded?.Id));
        }
        await StreamAsync(request.HttpContext, body, tenant, cancellationToken);
        return TypedResults.Empty;
    }

    private async Task StreamAsync(HttpContext context, PromptRequest body, string? tenant, CancellationToken cancellationToken)
    {
        var stream = llm.Stream(body.System, body.Messages, LlmCallOptions.Default);
        var tokens = stream.GetAsyncEnumerator(cancellationToken);
        await using (tokens)
        {
            // Wait for the first token before answering 200, so a refused or failing request still gets its status and
            // the error envelope; only failures after that become an "error" event.
            var more = await tokens.MoveNextAsync();
            var events = EventStream.Start(context);
            string? eventId;
            try
            {
                for (; more; more = await tokens.MoveNextAsync())
                {
                    await events.WriteAsync(new PromptTokenEvent(tokens.Current), cancellationToken);
                }
                // A stream reports usage only when the endpoint sends it (stream_options.include_usage); else it is recorded without.
                eventId = tenant is null
                    ? null
                    : (await recorder.RecordAsync(tenant, body.ConversationId!, body.System!, body.Messages!, stream.Text, stream.Usage, stream.Model, cancellationToken)).Id;
            }
            catch (Exception ex) when (ex is FuncTraceException or Azure.RequestFailedException)
            {
                // The 200 is already sent: the failure can only be reported in the stream.
                logger.LogWarning(ex, "The prompt stream failed after {Characters} characters", stream.Text.Length);
                await events.WriteAsync(new PromptErrorEvent(ex is FuncTraceException ? ex.Message : "The answer could not be recorded."), cancellationToken);
                return;
            }
            await events.WriteAsync(new PromptDoneEvent(stream.Text, eventId), cancellationToken);
        }
    }
}
