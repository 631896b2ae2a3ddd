using System.Globalization;
using Azure;
using Azure.Core;

namespace FuncTrace.Domain.Storage.Queues;

/// <summary>
/// One queue over the Queue REST API, shaped like the Azure SDK's client of the same name.
/// Failures are <see cref="RequestFailedException"/>s with the service's status and error code.
/// </summary>
public sealed class QueueClient
{
    public const int MaxMessagesPerReceive = 32;
    private static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromDays(7);

    private readonly StoragePipeline _pipeline;

    public QueueClient(StorageAccount account, string queueName, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        Name = ResourceNames.ValidateContainerOrQueueName(queueName, "queue", nameof(queueName));
        Uri = new Uri(account.QueueEndpoint, Name);
        _pipeline = new StoragePipeline(account.Credential, options ?? new StorageClientOptions(), isTable: false);
    }

    public string Name { get; }

    public Uri Uri { get; }

    /// <summary>Base64 by default, as the Functions host expects; <see cref="QueueMessageEncoding.None"/> for raw text.</summary>
    public QueueMessageEncoding MessageEncoding { get; init; } = QueueMessageEncoding.Base64;

    /// <summary>Creates the queue; returns false when it already existed (204).</summary>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Put, Uri);
        var response = await _pipeline.SendAsync(message, cancellationToken, 201, 204).ConfigureAwait(false);
        return response.Status == 201;
    }

    /// <summary>Deletes the queue and its messages; returns false when it did not exist.</summary>
    public async Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Delete, Uri);
        var response = await _pipeline.SendAsync(message, cancellationToken, 204, 404).ConfigureAwait(false);
        return response.Status == 204;
    }

    /// <summary>
    /// Enqueues <paramref name="text"/>, hidden for <paramref name="visibilityTimeout"/> (default 0, at most 7 days).
    /// <paramref name="timeToLive"/>: null is the service default of 7 days; <see cref="TimeSpan.MaxValue"/> never expires.
    /// Times are sent in whole seconds.
    /// </summary>
    public async Task<SendReceipt> SendMessageAsync(
        string text,
        TimeSpan? visibilityTimeout = null,
        TimeSpan? timeToLive = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var query = "";
        if (visibilityTimeout is { } visibility)
        {
            query += "&visibilitytimeout=" + Seconds(visibility, TimeSpan.Zero, nameof(visibilityTimeout));
        }
        if (timeToLive is { } ttl)
        {
            // -1 is the service's "never expires".
            query += "&messagettl=" + (ttl == TimeSpan.MaxValue
                ? "-1"
                : Seconds(ttl, TimeSpan.FromSeconds(1), TimeSpan.MaxValue, nameof(timeToLive)));
        }

        using var message = _pipeline.CreateMessage(RequestMethod.Post, MessagesUri(query.TrimStart('&')));
        message.Request.Content = RequestContent.Create(QueueMessagesXml.SendBody(QueueMessageText.Encode(text, MessageEncoding)));
        var response = await _pipeline.SendAsync(message, cancellationToken, 201).ConfigureAwait(false);
        var sent = QueueMessagesXml.Messages(response.ContentStream!).Single();
        return new SendReceipt(
            QueueMessagesXml.Text(sent, "MessageId"),
            QueueMessagesXml.Text(sent, "PopReceipt"),
            QueueMessagesXml.Date(sent, "InsertionTime"),
            QueueMessagesXml.Date(sent, "ExpirationTime"),
            QueueMessagesXml.Date(sent, "TimeNextVisible"));
    }

    /// <summary>
    /// Receives up to <paramref name="maxMessages"/> (1-32) messages and hides them for <paramref name="visibilityTimeout"/>
    /// (1 second to 7 days); each receive adds one to a message's dequeue count.
    /// </summary>
    public async Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(
        int maxMessages,
        TimeSpan visibilityTimeout,
        CancellationToken cancellationToken = default)
    {
        ValidateMaxMessages(maxMessages);
        var query = $"numofmessages={maxMessages.ToString(CultureInfo.InvariantCulture)}" +
                    $"&visibilitytimeout={Seconds(visibilityTimeout, TimeSpan.FromSeconds(1), nameof(visibilityTimeout))}";
        return await GetMessagesAsync(query, m => new QueueMessage(
            QueueMessagesXml.Text(m, "MessageId"),
            QueueMessagesXml.Text(m, "PopReceipt"),
            QueueMessagesXml.Long(m, "DequeueCount"),
            QueueMessagesXml.Date(m, "InsertionTime"),
            QueueMessagesXml.Date(m, "ExpirationTime"),
            QueueMessagesXml.Date(m, "TimeNextVisible"),
            Text(m)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads up to <paramref name="maxMessages"/> (1-32) visible messages without hiding them or counting a dequeue.</summary>
    public async Task<IReadOnlyList<PeekedMessage>> PeekMessagesAsync(int maxMessages, CancellationToken cancellationToken = default)
    {
        ValidateMaxMessages(maxMessages);
        var query = $"peekonly=true&numofmessages={maxMessages.ToString(CultureInfo.InvariantCulture)}";
        return await GetMessagesAsync(query, m => new PeekedMessage(
            QueueMessagesXml.Text(m, "MessageId"),
            QueueMessagesXml.Long(m, "DequeueCount"),
            QueueMessagesXml.Date(m, "InsertionTime"),
            QueueMessagesXml.Date(m, "ExpirationTime"),
            Text(m)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET on the messages resource (receive or peek) and one <typeparamref name="T"/> per message in the answer.</summary>
    private async Task<IReadOnlyList<T>> GetMessagesAsync<T>(string query, Func<System.Xml.Linq.XElement, T> read, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Get, MessagesUri(query));
        var response = await _pipeline.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
        return QueueMessagesXml.Messages(response.ContentStream!).Select(read).ToList();
    }

    private string Text(System.Xml.Linq.XElement message) =>
        QueueMessageText.Decode(QueueMessagesXml.Text(message, "MessageText"), MessageEncoding);

    /// <summary>Deletes a received message; returns false when it was already gone (deleting twice is not an error).</summary>
    public async Task<bool> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Delete, MessageUri(messageId, popReceipt, ""));
        var response = await _pipeline.SendAsync(message, cancellationToken, 204, 404).ConfigureAwait(false);
        return response.Status == 204;
    }

    /// <summary>
    /// Hides a received message for <paramref name="visibilityTimeout"/> (0 to 7 days) from now, for example to extend a lease or to retry later.
    /// </summary>
    public async Task<UpdateReceipt> UpdateVisibilityAsync(
        string messageId,
        string popReceipt,
        TimeSpan visibilityTimeout,
        CancellationToken cancellationToken = default)
    {
        var query = "&visibilitytimeout=" + Seconds(visibilityTimeout, TimeSpan.Zero, nameof(visibilityTimeout));
        using var message = _pipeline.CreateMessage(RequestMethod.Put, MessageUri(messageId, popReceipt, query));
        // Update Message without a body changes only the visibility; the service still wants Content-Length: 0.
        message.Request.Content = RequestContent.Create(ReadOnlyMemory<byte>.Empty);
        var response = await _pipeline.SendAsync(message, cancellationToken, 204).ConfigureAwait(false);
        return new UpdateReceipt(
            RequiredHeader(response, "x-ms-popreceipt"),
            HttpDates.Parse(RequiredHeader(response, "x-ms-time-next-visible")));
    }

    /// <summary>The service's approximate count of messages, visible or not (it may lag behind recent sends).</summary>
    public async Task<long> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Get, new Uri(Uri.AbsoluteUri + "?comp=metadata"));
        var response = await _pipeline.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
        return long.Parse(RequiredHeader(response, "x-ms-approximate-messages-count"), CultureInfo.InvariantCulture);
    }

    private static void ValidateMaxMessages(int maxMessages)
    {
        if (maxMessages is < 1 or > MaxMessagesPerReceive)
        {
            throw new ArgumentOutOfRangeException(nameof(maxMessages), maxMessages, $"Ask for 1 to {MaxMessagesPerReceive} messages.");
        }
    }

    private static string Seconds(TimeSpan value, TimeSpan min, string paramName) =>
        Seconds(value, min, MaxVisibilityTimeout, paramName);

    private static string Seconds(TimeSpan value, TimeSpan min, TimeSpan max, string paramName) =>
        value >= min && value <= max
            ? ((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture)
            : throw new ArgumentOutOfRangeException(paramName, value, $"Must be between {min} and {max}.");

    private static string RequiredHeader(Response response, string name) =>
        response.Headers.TryGetValue(name, out var value)
            ? value
            : throw new RequestFailedException(response.Status, $"The queue service's response has no {name} header.");

    private Uri MessagesUri(string query) =>
        new($"{Uri.AbsoluteUri}/messages{(query.Length == 0 ? "" : "?" + query)}");

    private Uri MessageUri(string messageId, string popReceipt, string extraQuery)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        return new Uri($"{Uri.AbsoluteUri}/messages/{Uri.EscapeDataString(messageId)}?popreceipt={Uri.EscapeDataString(popReceipt)}{extraQuery}");
    }
}
