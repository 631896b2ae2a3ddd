using FuncTrace.Domain.Llm;

namespace FuncTrace.Functions.Commands;

/// <summary>What a <c>prompt</c> command asks the model: the session's prompt, and a system prompt when it gave one.</summary>
public sealed record PromptRun(string Tenant, string SessionId, string Prompt, string? System);

/// <summary>The model's answer: its text, the model that gave it, and the tokens it reported.</summary>
public sealed record PromptAnswer(string Text, string? Model, LlmUsage? Usage);

/// <summary>Runs a <c>prompt</c> command's model call. The one place a session's engine (or a named agent) is chosen.</summary>
public interface IPromptRunner
{
    Task<PromptAnswer> RunAsync(PromptRun run, CancellationToken cancellationToken);
}

/// <summary>
/// The configured model (<c>FuncTrace__Llm__Model</c>) through <see cref="LlmService"/>, with a plain system prompt
/// unless the command gave one: what every session runs until sessions have engines of their own.
/// </summary>
public sealed class LlmPromptRunner(LlmService llm) : IPromptRunner
{
    public const string DefaultSystemPrompt = "You are a helpful assistant.";

    public async Task<PromptAnswer> RunAsync(PromptRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var answer = await llm.AnswerAsync(run.System ?? DefaultSystemPrompt, [new LlmMessage("user", run.Prompt)], cancellationToken: cancellationToken);
        return new PromptAnswer(answer.Text, llm.Options.Model, answer.Usage);
    }
}
