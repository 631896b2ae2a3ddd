using System.Runtime.CompilerServices;
using System.Text;
using OpenAI.Chat;

namespace FuncTrace.Domain.Llm;

/// <summary>
/// A streamed answer: enumerating it yields the text deltas as they arrive; once it has ended, <see cref="Text"/>,
/// <see cref="FinishReason"/>, <see cref="Usage"/> (when the endpoint reports it in the stream), <see cref="Model"/> and
/// <see cref="ToolCalls"/> describe the whole answer. Failures of the endpoint surface as <see cref="LlmUpstreamException"/>.
/// Enumerate it once.
/// </summary>
public sealed class LlmStream : IAsyncEnumerable<string>
{
    private readonly Func<CancellationToken, IAsyncEnumerable<StreamingChatCompletionUpdate>> _updates;
    private readonly StringBuilder _text = new();
    private readonly SortedDictionary<int, (string? Id, string? Name, StringBuilder Arguments)> _toolCalls = [];

    internal LlmStream(Func<CancellationToken, IAsyncEnumerable<StreamingChatCompletionUpdate>> updates) => _updates = updates;

    /// <summary>The text received so far.</summary>
    public string Text => _text.ToString();

    public string? FinishReason { get; private set; }

    public LlmUsage? Usage { get; private set; }

    public string? Model { get; private set; }

    public IReadOnlyList<LlmToolCall> ToolCalls => _toolCalls.Values
        .Where(call => call.Name is not null)
        .Select(call => new LlmToolCall(call.Id ?? string.Empty, call.Name!, call.Arguments.ToString()))
        .ToList();

    public async IAsyncEnumerator<string> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        await foreach (var text in ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return text;
        }
    }

    private async IAsyncEnumerable<string> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var updates = _updates(cancellationToken).GetAsyncEnumerator(cancellationToken);
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
                var update = updates.Current;
                Absorb(update);
                foreach (var part in update.ContentUpdate)
                {
                    if (!string.IsNullOrEmpty(part.Text))
                    {
                        _text.Append(part.Text);
                        yield return part.Text;
                    }
                }
            }
        }
    }

    private void Absorb(StreamingChatCompletionUpdate update)
    {
        if (update.FinishReason is { } finish)
        {
            FinishReason = LlmService.FinishReasonName(finish);
        }
        if (update.Usage is { } usage)
        {
            Usage = new LlmUsage(usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount);
        }
        if (!string.IsNullOrEmpty(update.Model))
        {
            Model = update.Model;
        }
        foreach (var call in update.ToolCallUpdates)
        {
            var known = _toolCalls.TryGetValue(call.Index, out var existing) ? existing : (null, null, new StringBuilder());
            known.Id ??= call.ToolCallId;
            known.Name ??= call.FunctionName;
            if (call.FunctionArgumentsUpdate is { } arguments && !arguments.ToMemory().IsEmpty)
            {
                known.Arguments.Append(arguments.ToString());
            }
            _toolCalls[call.Index] = known;
        }
    }
}
