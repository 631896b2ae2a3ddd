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

/// <summary>Stops the start when a limit is negative, naming the setting.</summary>
public sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.PerKeyPerMinute < 0)
        {
            failures.Add("FuncTrace__RateLimits__PerKeyPerMinute must be 0 (no limit) or more.");
        }
        if (options.PerIpPerMinute < 0)
        {
            failures.Add("FuncTrace__RateLimits__PerIpPerMinute must be 0 (no limit) or more.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// A token bucket per API key and per client IP, holding a minute's worth of requests and refilled continuously at
/// that rate (the limiter adds fractional tokens as time passes): a burst of a minute's worth, then one request every
/// 60/limit seconds. A refusal is a 429 whose <c>Retry-After</c> is the time one token takes.
/// </summary>
public sealed class RateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perKey;
    private readonly PartitionedRateLimiter<string> _perIp;
    private readonly int _perKeySeconds;
    private readonly int _perIpSeconds;

    public RateLimits(IOptions<RateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_perKey, _perKeySeconds) = Limiter(options.Value.PerKeyPerMinute);
        (_perIp, _perIpSeconds) = Limiter(options.Value.PerIpPerMinute);
    }

    public void CheckKey(string keyId) => Check(_perKey, keyId, _perKeySeconds, "this API key");

    public void CheckClient(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Check(_perIp, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _perIpSeconds, "this client address");
    }

    private static void Check(PartitionedRateLimiter<string> limiter, string partition, int retryAfterSeconds, string who)
    {
        using var lease = limiter.AttemptAcquire(partition);
        if (!lease.IsAcquired)
        {
            throw new FuncTraceException(ErrorCode.RateLimited, $"Too many requests from {who}; retry in {retryAfterSeconds} s.",
                new Dictionary<string, object?> { ["retry_after_seconds"] = retryAfterSeconds });
        }
    }

    /// <summary>The limiter for <paramref name="perMinute"/> requests a minute (0: none), and the seconds one token takes to come back.</summary>
    private static (PartitionedRateLimiter<string> Limiter, int RetryAfterSeconds) Limiter(int perMinute) => (
        PartitionedRateLimiter.Create<string, string>(partition => perMinute <= 0
            ? RateLimitPartition.GetNoLimiter(partition)
            : RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = perMinute,
                TokensPerPeriod = perMinute,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            })),
        perMinute <= 0 ? 0 : (int)Math.Ceiling(60.0 / perMinute));

    /// <summary>Seconds, for the <c>Retry-After</c> header.</summary>
    public static string RetryAfterHeader(FuncTraceException ex) =>
        ex?.Details?.TryGetValue("retry_after_seconds", out var seconds) == true ? Convert.ToString(seconds, CultureInfo.InvariantCulture)! : "1";

    public void Dispose()
    {
        _perKey.Dispose();
        _perIp.Dispose();
    }
}
