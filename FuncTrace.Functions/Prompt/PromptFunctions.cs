using System.Text;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Prompt;

/// <summary>
/// A system prompt and messages in, the configured model's answer out.
/// <code>
/// POST api/prompt   Prompt   JSON {"response"}, or with Accept: text/event-stream: token events, then done
/// </code>
/// </summary>
public sealed class PromptFunctions(LlmService llm, ILogger<PromptFunctions> logger)
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
        var cancellationToken = request.HttpContext.RequestAborted;
        if (!EventStream.IsRequested(request))
        {
            var answer = await llm.AnswerAsync(body.System, body.Messages, cancellationToken: cancellationToken);
            return TypedResults.Ok(new PromptResponse(answer.Text));
        }
        await StreamAsync(request.HttpContext, body, cancellationToken);
        return TypedResults.Empty;
    }

    private async Task StreamAsync(HttpContext context, PromptRequest body, CancellationToken cancellationToken)
    {
        var tokens = llm.StreamAsync(body.System, body.Messages, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (tokens)
        {
            // Wait for the first token before answering 200, so a refused or failing request still gets its status
            // and the error envelope; only failures after that become an "error" event.
            var more = await tokens.MoveNextAsync();
            var events = EventStream.Start(context);
            var full = new StringBuilder();
            try
            {
                for (; more; more = await tokens.MoveNextAsync())
                {
                    full.Append(tokens.Current);
                    await events.WriteAsync(new PromptTokenEvent(tokens.Current), cancellationToken);
                }
            }
            catch (FuncTraceException ex)
            {
                // The 200 is already sent: the failure can only be reported in the stream.
                logger.LogWarning(ex, "The prompt stream failed after {Characters} characters", full.Length);
                await events.WriteAsync(new PromptErrorEvent(ex.Message), cancellationToken);
                return;
            }
            await events.WriteAsync(new PromptDoneEvent(full.ToString()), cancellationToken);
        }
    }
}
