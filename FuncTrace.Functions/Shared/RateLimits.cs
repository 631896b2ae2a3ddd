using System.Globalization;
using System.Threading.RateLimiting;
using FuncTrace.Domain.Errors;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Shared;

/// <summary>The <c>FuncTrace:RateLimits</c> section. Limits are per instance: each instance counts what it serves.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "FuncTrace:RateLimits";

    /// <summary>Requests per minute one API key may make (0 turns the limit off).</summary>
    public int PerKeyPerMinute { get; set; } = 1000;

    /// <summary>Requests per minute one client IP may make to routes that need no key, and with keys that fail (0: off).</summary>
    public int PerIpPerMinute { get; set; } = 100;
}

/// <summary>
/// Token buckets per API key and per client IP (refilled evenly over the minute, so a burst of a minute's worth is
/// allowed and then one request every 60/limit seconds). A refusal is a 429 with <c>Retry-After</c>.
/// </summary>
public sealed class RateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perKey;
    private readonly PartitionedRateLimiter<string> _perIp;

    public RateLimits(IOptions<RateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _perKey = Limiter(options.Value.PerKeyPerMinute);
        _perIp = Limiter(options.Value.PerIpPerMinute);
    }

    public void CheckKey(string keyId) => Check(_perKey, keyId, "this API key");

    public void CheckClient(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Check(_perIp, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", "this client address");
    }

    private static void Check(PartitionedRateLimiter<string> limiter, string partition, string who)
    {
        using var lease = limiter.AttemptAcquire(partition);
        if (lease.IsAcquired)
        {
            return;
        }
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        throw new FuncTraceException(ErrorCode.RateLimited, $"Too many requests from {who}; retry in {seconds} s.",
            new Dictionary<string, object?> { ["retry_after_seconds"] = seconds });
    }

    private static PartitionedRateLimiter<string> Limiter(int perMinute) => PartitionedRateLimiter.Create<string, string>(partition =>
        perMinute <= 0
            ? RateLimitPartition.GetNoLimiter(partition)
            : RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = perMinute,
                TokensPerPeriod = Math.Max(1, perMinute / 60),
                ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, 60.0 / perMinute * Math.Max(1, perMinute / 60))),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

    /// <summary>Seconds, for the <c>Retry-After</c> header.</summary>
    public static string RetryAfterHeader(FuncTraceException ex) =>
        ex?.Details?.TryGetValue("retry_after_seconds", out var seconds) == true ? Convert.ToString(seconds, CultureInfo.InvariantCulture)! : "1";

    public void Dispose()
    {
        _perKey.Dispose();
        _perIp.Dispose();
    }
}
