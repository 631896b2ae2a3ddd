using System.Text;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Keys;
using FuncTrace.Domain.Llm;
using FuncTrace.Domain.Prompts;
using FuncTrace.Functions.Api;
using FuncTrace.Functions.Auth;

namespace FuncTrace.Functions.Functions;

/// <summary>
/// <c>POST /api/prompt</c>: a system prompt and messages in, the model's answer out — as JSON, or as
/// Server-Sent Events (<c>token</c> deltas, then <c>done</c>) when the caller accepts <c>text/event-stream</c>.
/// </summary>
public static class PromptFunctions
{
    public sealed record PromptRequest(string? System, List<LlmMessage?>? Messages, string? ConversationId);

    public static IEndpointRouteBuilder MapPromptFunctions(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/prompt", Prompt)
            .RequireAuthorization(AuthSetup.Ingest)
            .WithTags("LLM")
            .WithSummary("Send a prompt to the configured model; stream the answer with Accept: text/event-stream");
        return routes;
    }

    public static async Task<IResult> Prompt(HttpContext context, LlmService llm, PromptRecorder recorder, Caller caller, ILoggerFactory loggers)
    {
        var request = await JsonBody.ReadAsync<PromptRequest>(context, JsonBody.SnakeCase);
        // A prompt naming a conversation is recorded there: check the tenant and the id before paying for the call.
        string? tenant = null;
        if (request.ConversationId is not null)
        {
            EventService.ValidateConversationId(request.ConversationId);
            tenant = caller.DataTenant;
        }
        var cancellationToken = context.RequestAborted;
        if (!EventStream.IsRequested(context.Request))
        {
            var answer = await llm.AnswerAsync(request.System, request.Messages, cancellationToken: cancellationToken);
            var recorded = tenant is null
                ? null
                : await recorder.RecordAsync(tenant, request.ConversationId!, request.System!, request.Messages!, answer.Text, answer.Usage, cancellationToken);
            return Results.Ok(new { response = answer.Text, event_id = recorded?.Id });
        }

        var tokens = llm.StreamAsync(request.System, request.Messages, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (tokens)
        {
            // Wait for the first token before answering 200, so a refused or failing request still gets
            // its status and the error envelope; only failures after that become an "error" event.
            var more = await tokens.MoveNextAsync();
            var events = EventStream.Start(context);
            var full = new StringBuilder();
            EventRecord? recorded;
            try
            {
                for (; more; more = await tokens.MoveNextAsync())
                {
                    full.Append(tokens.Current);
                    await events.WriteAsync(new { type = "token", content = tokens.Current }, cancellationToken);
                }
                recorded = tenant is null
                    ? null
                    : await recorder.RecordAsync(tenant, request.ConversationId!, request.System!, request.Messages!, full.ToString(), usage: null, cancellationToken);
            }
            catch (Exception ex) when (ex is FuncTraceException or Azure.RequestFailedException)
            {
                // The 200 is already sent: the failure can only be reported in the stream.
                loggers.CreateLogger(typeof(PromptFunctions)).LogWarning(ex, "The prompt stream failed after {Characters} characters", full.Length);
                await events.WriteAsync(new { type = "error", error = ex is FuncTraceException ? ex.Message : "The answer could not be recorded." }, cancellationToken);
                return Results.Empty;
            }
            await events.WriteAsync(new { type = "done", response = full.ToString(), event_id = recorded?.Id }, cancellationToken);
        }
        return Results.Empty;
    }
}
