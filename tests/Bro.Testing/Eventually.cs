namespace Bro.Testing;

/// <summary>
/// Waits for a condition that something else makes true (a cluster converging, a directory
/// spreading), checking it every 50 ms: the AwaitAssert of tests that have no TestKit.
/// </summary>
public static class Eventually
{
    /// <summary>Completes once <paramref name="condition"/> holds; fails the test after <paramref name="timeout"/> (default 20 s).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
                throw new Xunit.Sdk.XunitException($"The condition did not hold within {timeout ?? TimeSpan.FromSeconds(20)}");
            await Task.Delay(50);
        }
    }
}
