using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace FuncTrace.Domain.Storage.Blobs;

/// <summary>
/// Block ids and the Put Block List body of one block blob upload. Each upload's ids start with its own random
/// prefix: two uploads of the same name (a client retrying after a timeout) would otherwise share ids, and the
/// list one commits could pick up blocks the other staged.
/// </summary>
internal sealed class BlockList
{
    private readonly string _uploadPrefix = Guid.NewGuid().ToString("N");

    /// <summary>The service caps a block blob at 50,000 committed blocks.</summary>
    public const int MaxBlocks = 50_000;

    /// <summary>Base64 of the upload's prefix and a zero-padded counter: every id of one blob must have the same length.</summary>
    public string BlockId(int index) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(_uploadPrefix + index.ToString("D6", CultureInfo.InvariantCulture)));

    public byte[] Body(int blockCount)
    {
        var document = new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement("BlockList", Enumerable.Range(0, blockCount).Select(i => new XElement("Latest", BlockId(i)))));
        using var buffer = new MemoryStream();
        document.Save(buffer, SaveOptions.DisableFormatting);
        return buffer.ToArray();
    }
}
