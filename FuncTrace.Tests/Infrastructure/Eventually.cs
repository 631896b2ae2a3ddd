namespace FuncTrace.Tests.Infrastructure;

/// <summary>Waits for something the worker does in the background, failing with a description after a generous timeout.</summary>
public static class Eventually
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Task HoldsAsync(string description, Func<Task<bool>> condition) => HoldsAsync(description, Timeout, condition);

    /// <summary>With a timeout of its own, for what waits on a stated delay first (a hidden message that must appear).</summary>
    public static async Task HoldsAsync(string description, TimeSpan timeout, Func<Task<bool>> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {timeout.TotalSeconds} s: {description}.");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    public static Task HoldsAsync(string description, Func<bool> condition) =>
        HoldsAsync(description, () => Task.FromResult(condition()));
}
