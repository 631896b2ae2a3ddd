using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Chat;

/// <summary>The <c>FuncTrace:Chat</c> settings: chat turns, regenerate and agent runs.</summary>
public sealed class ChatOptions
{
    public const string Section = "FuncTrace:Chat";

    /// <summary>The system prompt of a call whose agent has none, or that names no agent.</summary>
    public string DefaultSystemPrompt { get; set; } = "You are a helpful assistant.";

    /// <summary>Most characters of one user message (or of an engine's prompt).</summary>
    public int MaxMessageLength { get; set; } = 32_000;

    /// <summary>The model sees at most this many earlier messages of the active branch, the newest ones.</summary>
    public int HistoryMessages { get; set; } = 40;

    /// <summary>...and at most this many characters of them: older messages are left out first.</summary>
    public int HistoryCharacters { get; set; } = 48_000;

    /// <summary>
    /// How long a turn being answered holds its user message: a replay or regenerate meanwhile is a 409, and an instance
    /// that died mid-answer frees it when this runs out. Longer than any one stream (the front end ends them at 230 s).
    /// </summary>
    public int AnswerLeaseSeconds { get; set; } = 300;
}

public sealed class ChatOptionsValidator : IValidateOptions<ChatOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DefaultSystemPrompt))
        {
            failures.Add("FuncTrace__Chat__DefaultSystemPrompt must not be empty.");
        }
        if (options.MaxMessageLength is < 1 or > 1_000_000)
        {
            failures.Add("FuncTrace__Chat__MaxMessageLength must be between 1 and 1000000.");
        }
        if (options.HistoryMessages is < 0 or > 1000)
        {
            failures.Add("FuncTrace__Chat__HistoryMessages must be between 0 and 1000.");
        }
        if (options.HistoryCharacters is < 0 or > 10_000_000)
        {
            failures.Add("FuncTrace__Chat__HistoryCharacters must be between 0 and 10000000.");
        }
        if (options.AnswerLeaseSeconds is < 10 or > 3600)
        {
            failures.Add("FuncTrace__Chat__AnswerLeaseSeconds must be between 10 and 3600.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
