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

    private readonly Lazy<ChatClient> _client;

    public LlmService(LlmOptions options)
        : this(options, () => LlmClientFactory.Create(options))
    {
    }

    public LlmService(LlmOptions options, Func<ChatClient> createClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        // Created on first use, so an unconfigured app starts and answers 503 only where the LLM is needed.
        _client = new Lazy<ChatClient>(createClient);
    }

    public LlmOptions Options { get; }

    public Task<string> CompleteAsync(string? system, IReadOnlyList<LlmMessage?>? messages, CancellationToken cancellationToken = default) =>
        CompleteAsync(system, messages, responseFormat: null, cancellationToken);

    /// <param name="responseFormat">Structured output, e.g. a JSON schema; null for plain text.</param>
    public async Task<string> CompleteAsync(string? system, IReadOnlyList<LlmMessage?>? messages, ChatResponseFormat? responseFormat, CancellationToken cancellationToken = default) =>
        (await AnswerAsync(system, messages, responseFormat, cancellationToken).ConfigureAwait(false)).Text;

    /// <summary>The answer with the token usage the endpoint reported (null when it reported none).</summary>
    public async Task<LlmAnswer> AnswerAsync(string? system, IReadOnlyList<LlmMessage?>? messages, ChatResponseFormat? responseFormat = null, CancellationToken cancellationToken = default)
    {
        var chat = Prepare(system, messages);
        var client = Client();
        try
        {
            var completion = (await client.CompleteChatAsync(chat, new ChatCompletionOptions { ResponseFormat = responseFormat }, cancellationToken).ConfigureAwait(false)).Value;
            var usage = completion.Usage is { } u ? new LlmUsage(u.InputTokenCount, u.OutputTokenCount, u.TotalTokenCount) : null;
            return new LlmAnswer(string.Concat(completion.Content.Select(part => part.Text)), usage);
        }
        catch (Exception ex) when (LlmErrors.IsUpstreamFailure(ex, cancellationToken))
        {
            throw LlmErrors.FromFailure(ex);
        }
    }

    /// <summary>The answer's text deltas as they arrive. Validation and configuration are checked before it returns.</summary>
    public IAsyncEnumerable<string> StreamAsync(string? system, IReadOnlyList<LlmMessage?>? messages, CancellationToken cancellationToken = default)
    {
        var chat = Prepare(system, messages);
        return Stream(Client(), chat, cancellationToken);
    }

    private static async IAsyncEnumerable<string> Stream(ChatClient client, List<ChatMessage> chat, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var updates = client.CompleteChatStreamingAsync(chat, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (updates.ConfigureAwait(false))
        {
            while (true)
            {
                // C# cannot yield inside a try with a catch, so only the move is guarded.
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (Exception ex) when (LlmErrors.IsUpstreamFailure(ex, cancellationToken))
                {
                    throw LlmErrors.FromFailure(ex);
                }
                foreach (var part in updates.Current.ContentUpdate)
                {
                    if (!string.IsNullOrEmpty(part.Text))
                    {
                        yield return part.Text;
                    }
                }
            }
        }
    }

    private ChatClient Client() => Options.IsConfigured ? _client.Value : throw LlmErrors.NotConfigured();

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
