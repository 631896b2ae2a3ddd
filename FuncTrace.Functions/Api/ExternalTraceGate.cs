using FuncTrace.Functions.Hosting;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Api;

/// <summary>
/// Answers every <c>/api/external</c> request 503 while the face is switched off, before authentication, so a
/// client learns the face is off rather than that its key is wrong.
/// </summary>
public sealed class ExternalTraceGate(RequestDelegate next, IOptions<ExternalTraceOptions> options)
{
    public const string DisabledMessage = "External trace API is not enabled";

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return !options.Value.Enabled && ExternalTraceEnvelope.Applies(context)
            ? ExternalTraceEnvelope.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, DisabledMessage)
            : next(context);
    }
}
