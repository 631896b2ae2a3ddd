using System.Globalization;

namespace FuncTrace.Domain.BatchScoring;

/// <summary>
/// A job is one partition of the jobs table (its id), so a result, the job's counters and the progress entry
/// are written in one transaction. Rows: <c>job</c>; <c>test|{id}</c>; <c>result|{id}</c> (one per test:
/// what makes a re-delivered message a no-op); <c>seq|{n}</c> (the n-th finished test, the order streams replay).
/// </summary>
public static class BatchJobKeys
{
    public const string Job = "job";
    public const string TestPrefix = "test|";
    public const string ResultPrefix = "result|";
    public const string SequencePrefix = "seq|";

    public static string Test(long id) => TestPrefix + Number(id);
    public static string Result(long id) => ResultPrefix + Number(id);
    public static string Sequence(long n) => SequencePrefix + Number(n);

    private static string Number(long value) => value.ToString("D19", CultureInfo.InvariantCulture);
}
