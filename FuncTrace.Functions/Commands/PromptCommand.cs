using System.Diagnostics;
using System.Text.Json;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;

namespace FuncTrace.Functions.Commands;

/// <summary>
/// <c>prompt</c>: one model call on <c>parameters.prompt</c> — with the agent named by <c>parameters.agent_id</c>, else
/// the session's engine, else the configured model (with <c>parameters.system</c>). Not repeatable: once the call may
/// have been made, the command is not run again. A 429 means the model refused, so nothing ran: the queue tries again.
/// </summary>
public sealed class PromptCommand(IPromptRunner runner, LlmOptions llm) : ICommandType
{
    public const int MaxPromptLength = 100_000;
    public const int MaxSystemLength = 30_000;

    public string Name => "prompt";

    public bool Repeatable => false;

    public void Validate(JsonElement parameters)
    {
        var given = CommandErrors.Bind<PromptParameters>(parameters);
        Validation.Required(given.Prompt, "parameters.prompt", MaxPromptLength);
        if (given.System is not null)
        {
            Validation.Required(given.System, "parameters.system", MaxSystemLength);
        }
        if (given.AgentId is not null)
        {
            Validation.KeySafe(given.AgentId, "parameters.agent_id", CommandService.MaxIdLength);
        }
        if (!llm.IsConfigured)
        {
            throw LlmErrors.NotConfigured();
        }
    }

    public async Task<CommandOutcome> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var given = CommandErrors.Bind<PromptParameters>(context.Parameters);
        var started = Stopwatch.GetTimestamp();
        PromptAnswer answer;
        try
        {
            answer = await runner.RunAsync(new PromptRun(context.Tenant, context.SessionId, context.CommandId, given.Prompt!, given.System, given.AgentId), cancellationToken);
        }
        catch (LlmUpstreamException ex) when (ex.IsRateLimited)
        {
            return new CommandOutcome.NotRun(ex);
        }
        catch (FuncTraceException ex)
        {
            return new CommandOutcome.Failed(CommandErrors.From(ex));
        }
        var duration = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var result = JsonSerializer.SerializeToElement(
            new PromptResult(answer.Text, answer.Model, answer.Usage, answer.FinishReason, answer.AgentId, answer.RecordedEventId, duration), Shared.JsonBody.SnakeCase);
        // An agent's run recorded its own llm_prompt event (with the usage); only the default model's call needs one.
        var call = answer.RecordedEventId is null ? new ModelCall(given.Prompt!, answer.Text, answer.Model, answer.Usage, duration) : null;
        return new CommandOutcome.Completed(result, call);
    }

    private sealed record PromptParameters(string? Prompt, string? System, string? AgentId);

    private sealed record PromptResult(string Response, string? Model, LlmUsage? Usage, string? FinishReason, string? AgentId, string? EventId, long DurationMs);
}
