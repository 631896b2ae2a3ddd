using System.Globalization;

namespace FuncTrace.Domain.Storage;

/// <summary>Blob and Queue send dates as RFC 1123 text (<c>Sun, 06 Nov 1994 08:49:37 GMT</c>) in headers and XML alike.</summary>
internal static class HttpDates
{
    public static DateTimeOffset Parse(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
