using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Storage.Queues;

namespace FuncTrace.Functions.Views;

/// <summary>
/// A slot that kept failing (storage down for longer than the queue's retries last) is not given up: the poison
/// queue's function puts it back on its queue, hidden for a while that grows with each round, up to
/// <see cref="MaxRounds"/> rounds (about a day). Applying it is idempotent, so trying again is always safe.
/// </summary>
public sealed class QueueRetries(QueueServiceClient queues, ILogger<QueueRetries> logger)
{
    public const int MaxRounds = 30;

    public async Task RequeueAsync(string queueName, string message, CancellationToken cancellationToken)
    {
        var round = JsonSerializer.Deserialize<Envelope>(message) is { Round: > 0 } envelope ? envelope.Round : 0;
        if (round >= MaxRounds)
        {
            logger.LogError("Giving up views work after {Rounds} rounds of retries; the derived views miss it: {Message}", round, message);
            return;
        }
        var delay = TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, round)));
        var body = JsonSerializer.Serialize(new Envelope(round + 1, Unwrap(message)));
        logger.LogWarning("Views work failed repeatedly; retrying in {Delay} (round {Round})", delay, round + 1);
        await queues.GetQueueClient(queueName).SendMessageAsync(body, delay, cancellationToken: cancellationToken);
    }

    /// <summary>The message as first sent, whether or not a retry wrapped it.</summary>
    public static string Unwrap(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            return JsonSerializer.Deserialize<Envelope>(message) is { Round: > 0, Message: { } inner } ? inner : message;
        }
        catch (JsonException)
        {
            return message;
        }
    }

    private sealed record Envelope([property: JsonPropertyName("retry_round")] int Round, [property: JsonPropertyName("retry_message")] string? Message);
}
