using System.Text.RegularExpressions;

namespace FuncTrace.Functions.Shared;

/// <summary>
/// Gives every request an id (the caller's <c>X-Request-Id</c> when it is sane), used in logs, the error
/// envelope and the <c>X-Request-Id</c> response header.
/// </summary>
public static partial class RequestIds
{
    public const string Header = "X-Request-Id";

    public static void Assign(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var incoming = context.Request.Headers[Header].ToString();
        context.TraceIdentifier = SaneId().IsMatch(incoming) ? incoming : "req_" + Guid.NewGuid().ToString("N");
        context.Response.Headers[Header] = context.TraceIdentifier;
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{8,128}$")]
    private static partial Regex SaneId();
}
