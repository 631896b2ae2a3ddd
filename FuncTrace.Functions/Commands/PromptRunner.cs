using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.Agents;

namespace FuncTrace.Functions.Commands;

/// <summary>What a <c>prompt</c> command asks: the prompt, a system prompt for the default model, and the agent to run (if named).</summary>
public sealed record PromptRun(string Tenant, string SessionId, string CommandId, string Prompt, string? System, string? AgentId);

/// <summary>
/// The model's answer. <see cref="RecordedEventId"/> is the <c>llm_prompt</c> event an agent's run already wrote in the
/// session (with its usage); without it the command writes its own <c>model_call</c> event.
/// </summary>
public sealed record PromptAnswer(string Text, string? Model, LlmUsage? Usage, string? FinishReason, string? AgentId, string? RecordedEventId);

/// <summary>Runs a <c>prompt</c> command's model call. The one place a session's engine (or a named agent) is chosen.</summary>
public interface IPromptRunner
{
    Task<PromptAnswer> RunAsync(PromptRun run, CancellationToken cancellationToken);
}

/// <summary>
/// The named agent, else the session's newest engine (<see cref="AgentService.ForSessionAsync"/>), through
/// <see cref="AgentRunner"/> — its call recorded under an id fixed by the command, so a second run of it is answered from
/// that event. A session without an engine runs the configured model (<c>FuncTrace__Llm__Model</c>), streamed, so a
/// stream that breaks off is a failure whose partial text the error keeps.
/// </summary>
public sealed class AgentPromptRunner(AgentService agents, AgentRunner runner, LlmService llm) : IPromptRunner
{
    public const string DefaultSystemPrompt = "You are a helpful assistant.";

    public async Task<PromptAnswer> RunAsync(PromptRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var agentId = run.AgentId ?? (await agents.ForSessionAsync(run.Tenant, run.SessionId, cancellationToken))?.Id;
        if (agentId is not null)
        {
            var eventId = CommandEvents.EventId(run.SessionId, run.CommandId, CommandEvents.ModelCallType);
            var done = await runner.RunAsync(run.Tenant, agentId, run.Prompt, overrides: null, run.SessionId, eventId, cancellationToken);
            return new PromptAnswer(done.Response, done.Model, done.Usage, done.FinishReason, done.AgentId, done.EventId);
        }
        var stream = llm.Stream(run.System ?? DefaultSystemPrompt, [new LlmMessage("user", run.Prompt)], LlmCallOptions.Default);
        try
        {
            await foreach (var _ in stream.WithCancellation(cancellationToken))
            {
            }
        }
        catch (LlmUpstreamException ex) when (!ex.IsRateLimited && stream.Text.Length > 0)
        {
            // Failed, not retried: the model answered part of it, and a prompt is not sent twice.
            var details = new Dictionary<string, object?>(ex.Details ?? new Dictionary<string, object?>()) { ["partial_response"] = stream.Text };
            throw new FuncTraceException(ex.Code, "The model's stream broke off before it finished: " + ex.Message, details, ex);
        }
        return new PromptAnswer(stream.Text, stream.Model ?? llm.Options.Model, stream.Usage, stream.FinishReason, null, null);
    }
}
