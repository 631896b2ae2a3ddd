using System.Globalization;
using System.Xml.Linq;

namespace FuncTrace.Domain.Storage.Queues;

/// <summary>Reads and writes the Queue service's XML bodies (<c>QueueMessage</c> and <c>QueueMessagesList</c>).</summary>
internal static class QueueMessagesXml
{
    public static byte[] SendBody(string wireText)
    {
        var document = new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement("QueueMessage", new XElement("MessageText", wireText)));
        using var buffer = new MemoryStream();
        document.Save(buffer, SaveOptions.DisableFormatting);
        return buffer.ToArray();
    }

    public static IEnumerable<XElement> Messages(Stream xml) =>
        XDocument.Load(xml).Root?.Elements("QueueMessage") ?? [];

    public static string Text(XElement message, string name) =>
        message.Element(name)?.Value ?? throw new FormatException($"A queue message in the response has no {name}.");

    public static DateTimeOffset Date(XElement message, string name) => HttpDates.Parse(Text(message, name));

    public static long Long(XElement message, string name) => long.Parse(Text(message, name), CultureInfo.InvariantCulture);
}
