using System.Globalization;
using System.Net;

namespace FuncTrace.Functions.Hosting;

/// <summary>
/// Where Kestrel listens. Under the Functions host (custom handler) the host names a port in
/// <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> and only it may reach us, so we bind loopback only. Standalone we
/// take the Functions default, <c>http://localhost:7071</c>, unless <c>--urls</c> / <c>ASPNETCORE_URLS</c> say otherwise.
/// </summary>
public static class HostUrls
{
    public const string CustomHandlerPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";
    public const string StandaloneUrl = "http://localhost:7071";

    public static bool IsCustomHandler(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[CustomHandlerPortVariable]);

    public static void Configure(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var customHandlerPort = builder.Configuration[CustomHandlerPortVariable];
        if (!string.IsNullOrEmpty(customHandlerPort))
        {
            if (!int.TryParse(customHandlerPort, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new InvalidOperationException($"{CustomHandlerPortVariable}='{customHandlerPort}' is not a TCP port.");
            }
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
            return;
        }
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(StandaloneUrl);
        }
    }
}
