namespace FuncTrace.Domain.Storage.Queues;

/// <summary>How message text is put on the wire.</summary>
public enum QueueMessageEncoding
{
    /// <summary>Base64 of the UTF-8 text: what the Azure Functions host and the Azure SDKs expect by default.</summary>
    Base64,

    /// <summary>The text as is (XML-escaped), for producers and consumers that do not encode.</summary>
    None,
}
