namespace FuncTrace.Tests.Infrastructure;

/// <summary>Waits for something the worker does in the background, failing with a description after a generous timeout.</summary>
public static class Eventually
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task HoldsAsync(string description, Func<Task<bool>> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {Timeout.TotalSeconds} s: {description}.");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    public static Task HoldsAsync(string description, Func<bool> condition) =>
        HoldsAsync(description, () => Task.FromResult(condition()));
}
