using System.Text;

namespace FuncTrace.Domain.Storage.Queues;

/// <summary>Message text to and from its wire form.</summary>
internal static class QueueMessageText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Encode(string text, QueueMessageEncoding encoding) =>
        encoding == QueueMessageEncoding.Base64 ? Convert.ToBase64String(StrictUtf8.GetBytes(text)) : text;

    /// <summary>
    /// Base64 text that decodes to valid UTF-8 is decoded; anything else is returned as sent, because
    /// other producers may not encode. (Plain text that happens to be base64 of valid UTF-8 is indistinguishable.)
    /// </summary>
    public static string Decode(string wireText, QueueMessageEncoding encoding)
    {
        if (encoding == QueueMessageEncoding.None || wireText.Length == 0)
        {
            return wireText;
        }
        var bytes = new byte[wireText.Length * 3 / 4];
        if (!Convert.TryFromBase64String(wireText, bytes, out var written))
        {
            return wireText;
        }
        try
        {
            return StrictUtf8.GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return wireText;
        }
    }
}
