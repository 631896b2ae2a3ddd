using System.Runtime.CompilerServices;
using FuncTrace.Domain.Errors;
using OpenAI.Chat;

namespace FuncTrace.Domain.Llm;

/// <summary>
/// Sends a system prompt and a conversation to the configured chat model and returns its answer, whole or as
/// it is generated. Inputs are validated first (400 naming the field); a missing configuration is a 503 naming
/// the settings; the endpoint's failures become <see cref="LlmUpstreamException"/>.
/// </summary>
public sealed class LlmService
{
    private static readonly HashSet<string> Roles = new(StringComparer.Ordinal) { "user", "assistant", "system" };

    private readonly Func<string, ChatClient> _clientFor;
    private readonly Lazy<ChatClient> _default;

    public LlmService(LlmOptions options)
        : this(options, SharedPipeline(options))
    {
    }

    /// <summary>Every call goes through <paramref name="createClient"/>'s one client, whatever model it names (for tests of the pipeline).</summary>
    public LlmService(LlmOptions options, Func<ChatClient> createClient)
        : this(options, OneClient(createClient))
    {
    }

    /// <param name="clientFor">The chat client of a model name.</param>
    public LlmService(LlmOptions options, Func<string, ChatClient> clientFor)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clientFor);
        Options = options;
        _clientFor = clientFor;
        // Created on first use, so an unconfigured app starts and answers 503 only where the LLM is needed.
        _default = new Lazy<ChatClient>(() => clientFor(options.Model!));
    }

    public LlmOptions Options { get; }

    public Task<string> CompleteAsync(string? system, IReadOnlyList<LlmMessage?>? messages, CancellationToken cancellationToken = default) =>
        CompleteAsync(system, messages, responseFormat: null, cancellationToken);

    /// <param name="responseFormat">Structured output, e.g. a JSON schema; null for plain text.</param>
    public async Task<string> CompleteAsync(string? system, IReadOnlyList<LlmMessage?>? messages, ChatResponseFormat? responseFormat, CancellationToken cancellationToken = default) =>
        (await AnswerAsync(system, messages, responseFormat, cancellationToken).ConfigureAwait(false)).Text;

    /// <summary>The answer with the token usage the endpoint reported (null when it reported none).</summary>
    public Task<LlmAnswer> AnswerAsync(string? system, IReadOnlyList<LlmMessage?>? messages, ChatResponseFormat? responseFormat = null, CancellationToken cancellationToken = default) =>
        AnswerAsync(system, messages, LlmCallOptions.Default, responseFormat, cancellationToken);

    /// <summary>The answer of <paramref name="call"/>'s model with its settings and tools.</summary>
    public async Task<LlmAnswer> AnswerAsync(string? system, IReadOnlyList<LlmMessage?>? messages, LlmCallOptions call, ChatResponseFormat? responseFormat = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var chat = Prepare(system, messages);
        var client = Client(call.Model);
        try
        {
            var completion = (await client.CompleteChatAsync(chat, CompletionOptions(call, responseFormat), cancellationToken).ConfigureAwait(false)).Value;
            var usage = completion.Usage is { } u ? new LlmUsage(u.InputTokenCount, u.OutputTokenCount, u.TotalTokenCount) : null;
            var toolCalls = completion.ToolCalls.Select(t => new LlmToolCall(t.Id, t.FunctionName, t.FunctionArguments.ToString())).ToList();
            return new LlmAnswer(string.Concat(completion.Content.Select(part => part.Text)), usage, FinishReasonName(completion.FinishReason), toolCalls,
                string.IsNullOrEmpty(completion.Model) ? null : completion.Model);
        }
        catch (Exception ex) when (LlmErrors.IsUpstreamFailure(ex, cancellationToken))
        {
            throw LlmErrors.FromFailure(ex);
        }
    }

    /// <summary>The answer's text deltas as they arrive. Validation and configuration are checked before it returns.</summary>
    public IAsyncEnumerable<string> StreamAsync(string? system, IReadOnlyList<LlmMessage?>? messages, CancellationToken cancellationToken = default) =>
        Tokens(Stream(system, messages, LlmCallOptions.Default), cancellationToken);

    /// <summary>
    /// The answer of <paramref name="call"/>'s model as it is generated, with its end (finish reason, usage, tool calls)
    /// on the stream once read. Validation and configuration are checked before it returns.
    /// </summary>
    public LlmStream Stream(string? system, IReadOnlyList<LlmMessage?>? messages, LlmCallOptions call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var chat = Prepare(system, messages);
        var client = Client(call.Model);
        var options = CompletionOptions(call, responseFormat: null);
        return new LlmStream(cancellationToken => client.CompleteChatStreamingAsync(chat, options, cancellationToken));
    }

    /// <summary>The wire name of a finish reason, as clients of the OpenAI API know it.</summary>
    public static string FinishReasonName(ChatFinishReason reason) => reason switch
    {
        ChatFinishReason.Stop => "stop",
        ChatFinishReason.Length => "length",
        ChatFinishReason.ContentFilter => "content_filter",
        ChatFinishReason.ToolCalls => "tool_calls",
        ChatFinishReason.FunctionCall => "function_call",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private static async IAsyncEnumerable<string> Tokens(LlmStream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var token in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return token;
        }
    }

    private static Func<string, ChatClient> OneClient(Func<ChatClient> createClient)
    {
        ArgumentNullException.ThrowIfNull(createClient);
        var client = new Lazy<ChatClient>(createClient);
        return _ => client.Value;
    }

    private static Func<string, ChatClient> SharedPipeline(LlmOptions options)
    {
        var client = new Lazy<OpenAI.OpenAIClient>(() => LlmClientFactory.CreateOpenAIClient(options));
        return model => client.Value.GetChatClient(model);
    }

    private ChatClient Client(string? model)
    {
        if (!Options.IsConfigured)
        {
            throw LlmErrors.NotConfigured();
        }
        return string.IsNullOrWhiteSpace(model) || model == Options.Model ? _default.Value : _clientFor(model);
    }

    private static ChatCompletionOptions CompletionOptions(LlmCallOptions call, ChatResponseFormat? responseFormat)
    {
        var parameters = call.Parameters;
        var options = new ChatCompletionOptions
        {
            ResponseFormat = responseFormat,
            Temperature = (float?)parameters?.Temperature,
            TopP = (float?)parameters?.TopP,
            MaxOutputTokenCount = parameters?.MaxTokens,
            PresencePenalty = (float?)parameters?.PresencePenalty,
            FrequencyPenalty = (float?)parameters?.FrequencyPenalty,
        };
        foreach (var stop in parameters?.Stop ?? [])
        {
            options.StopSequences.Add(stop);
        }
        foreach (var tool in call.Tools ?? [])
        {
            options.Tools.Add(ChatTool.CreateFunctionTool(tool.Name, tool.Description, tool.ParametersJson is null ? null : BinaryData.FromString(tool.ParametersJson)));
        }
        return options;
    }

    private static List<ChatMessage> Prepare(string? system, IReadOnlyList<LlmMessage?>? messages)
    {
        if (string.IsNullOrWhiteSpace(system))
        {
            throw FuncTraceException.Validation("'system' is required.", "system");
        }
        if (messages is null || messages.Count == 0)
        {
            throw FuncTraceException.Validation("'messages' must hold at least one message.", "messages");
        }
        var chat = new List<ChatMessage>(messages.Count + 1) { ChatMessage.CreateSystemMessage(system) };
        for (var i = 0; i < messages.Count; i++)
        {
            chat.Add(Convert(messages[i], $"messages[{i}]"));
        }
        return chat;
    }

    private static ChatMessage Convert(LlmMessage? message, string field)
    {
        if (message is null)
        {
            throw FuncTraceException.Validation($"'{field}' must be an object with 'role' and 'content'.", field);
        }
        if (string.IsNullOrWhiteSpace(message.Role))
        {
            throw FuncTraceException.Validation($"'{field}.role' is required.", $"{field}.role");
        }
        if (!Roles.Contains(message.Role))
        {
            throw FuncTraceException.Validation($"'{field}.role' must be user, assistant or system, not '{Shorten(message.Role)}'.", $"{field}.role");
        }
        if (string.IsNullOrWhiteSpace(message.Content))
        {
            throw FuncTraceException.Validation($"'{field}.content' is required.", $"{field}.content");
        }
        return message.Role switch
        {
            "user" => ChatMessage.CreateUserMessage(message.Content),
            "assistant" => ChatMessage.CreateAssistantMessage(message.Content),
            _ => ChatMessage.CreateSystemMessage(message.Content),
        };
    }

    private static string Shorten(string value) => value.Length <= 32 ? value : value[..32] + "...";
}
