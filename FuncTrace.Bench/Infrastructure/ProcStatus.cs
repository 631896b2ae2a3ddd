using System.Globalization;

namespace FuncTrace.Bench.Infrastructure;

/// <summary>Resident memory of a process as Linux reports it in <c>/proc/&lt;pid&gt;/status</c>.</summary>
public static class ProcStatus
{
    public const double MiB = 1024 * 1024;

    /// <summary>Current resident set (VmRSS), in bytes.</summary>
    public static long Rss(int pid) => Read(pid, "VmRSS:");

    /// <summary>Peak resident set since the process started (VmHWM), in bytes.</summary>
    public static long PeakRss(int pid) => Read(pid, "VmHWM:");

    private static long Read(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        var kib = line[field.Length..].Trim().Split(' ')[0];
        return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
    }
}
