using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace FuncTrace.Domain.Storage;

/// <summary>
/// Signs each attempt with the account key: SharedKey for Blob and Queue, SharedKeyLite for Table.
/// Runs per retry so every attempt carries a fresh <c>x-ms-date</c>.
/// </summary>
internal sealed class SharedKeyPolicy(string accountName, byte[] accountKey, bool tableLite) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var date = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
        request.Headers.SetValue("x-ms-date", date);

        var stringToSign = tableLite
            ? date + "\n" + CanonicalizedResource(request.Uri.ToUri(), compOnly: true)
            : BlobQueueStringToSign(request);

        using var hmac = new HMACSHA256(accountKey);
        var signature = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.SetValue("Authorization", $"{(tableLite ? "SharedKeyLite" : "SharedKey")} {accountName}:{signature}");
    }

    /// <summary>
    /// The service sorts '_' before digits and letters, unlike ordinal order, so metadata names such as
    /// "i0" and "i_" would otherwise be signed in the wrong order. Header names here hold only lowercase
    /// letters, digits, '-' and '_'; mapping '_' to '/' (between '-' and '0') gives the service's order.
    /// </summary>
    private static readonly Comparer<string> ServiceHeaderOrder = Comparer<string>.Create(
        static (x, y) => string.CompareOrdinal(x.Replace('_', '/'), y.Replace('_', '/')));

    private string BlobQueueStringToSign(Request request)
    {
        string Header(string name) => request.Headers.TryGetValue(name, out var value) ? value : string.Empty;

        var contentLength = request.Content is not null && request.Content.TryComputeLength(out var length) && length > 0
            ? length.ToString(CultureInfo.InvariantCulture)
            : string.Empty;

        var builder = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(Header("Content-Encoding")).Append('\n')
            .Append(Header("Content-Language")).Append('\n')
            .Append(contentLength).Append('\n')
            .Append(Header("Content-MD5")).Append('\n')
            .Append(Header("Content-Type")).Append('\n')
            .Append('\n') // Date: x-ms-date is used instead
            .Append(Header("If-Modified-Since")).Append('\n')
            .Append(Header("If-Match")).Append('\n')
            .Append(Header("If-None-Match")).Append('\n')
            .Append(Header("If-Unmodified-Since")).Append('\n')
            .Append(Header("Range")).Append('\n');

        foreach (var header in request.Headers
                     .Where(h => h.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .Select(h => (Name: h.Name.ToLowerInvariant(), Value: h.Value.Trim()))
                     .OrderBy(h => h.Name, ServiceHeaderOrder))
        {
            builder.Append(header.Name).Append(':').Append(header.Value).Append('\n');
        }

        builder.Append(CanonicalizedResource(request.Uri.ToUri(), compOnly: false));
        return builder.ToString();
    }

    private string CanonicalizedResource(Uri uri, bool compOnly)
    {
        var builder = new StringBuilder("/").Append(accountName).Append(uri.AbsolutePath);
        var query = ParseQuery(uri.Query);
        if (compOnly)
        {
            if (query.TryGetValue("comp", out var comp))
            {
                builder.Append("?comp=").Append(comp);
            }
            return builder.ToString();
        }

        foreach (var (name, value) in query.OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            builder.Append('\n').Append(name).Append(':').Append(value);
        }
        return builder.ToString();
    }

    private static SortedDictionary<string, string> ParseQuery(string query)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            result[name] = result.TryGetValue(name, out var existing) ? existing + "," + value : value;
        }
        return result;
    }
}
