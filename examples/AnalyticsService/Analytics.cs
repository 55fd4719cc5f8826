using System.Collections.Concurrent;

namespace Bro.Examples.AnalyticsService;

/// <summary>The parameters of <c>trackEvent</c>: <c>{"name": "page_view", "userId": 1}</c>.</summary>
public sealed record TrackedEvent(string Name, int UserId);

/// <summary>What <c>getReport</c> answers.</summary>
/// <param name="TotalEvents">Events tracked since start.</param>
/// <param name="UniqueUsers">Users who caused them.</param>
/// <param name="ByName">Events per name, in name order.</param>
public sealed record Report(int TotalEvents, int UniqueUsers, SortedDictionary<string, int> ByName);

/// <summary>
/// Counts events. <c>trackEvent</c> calls arrive concurrently from many services, so counting is
/// lock-free: one counter per name, one set of users.
/// </summary>
public sealed class Analytics
{
    private readonly ConcurrentDictionary<string, int> _byName = new();
    private readonly ConcurrentDictionary<int, bool> _users = new();

    /// <summary>Counts one event; answers how many of its name there are now.</summary>
    public int Track(TrackedEvent e)
    {
        _users.TryAdd(e.UserId, true);
        return _byName.AddOrUpdate(e.Name, 1, (_, count) => count + 1);
    }

    /// <summary>The counts so far.</summary>
    public Report Report()
    {
        var byName = new SortedDictionary<string, int>(_byName, StringComparer.Ordinal);
        return new Report(byName.Values.Sum(), _users.Count, byName);
    }
}
