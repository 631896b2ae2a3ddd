using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace FuncTrace.Domain.Storage.Blobs;

/// <summary>Block ids and the Put Block List body for a block blob upload.</summary>
internal static class BlockList
{
    /// <summary>The service caps a block blob at 50,000 committed blocks.</summary>
    public const int MaxBlocks = 50_000;

    /// <summary>Base64 of a zero-padded counter: every id of one blob must have the same length.</summary>
    public static string BlockId(int index) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString("D6", CultureInfo.InvariantCulture)));

    public static byte[] Body(int blockCount)
    {
        var document = new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement("BlockList", Enumerable.Range(0, blockCount).Select(i => new XElement("Latest", BlockId(i)))));
        using var buffer = new MemoryStream();
        document.Save(buffer, SaveOptions.DisableFormatting);
        return buffer.ToArray();
    }
}
