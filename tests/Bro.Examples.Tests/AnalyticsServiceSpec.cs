using Bro.Examples.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Examples.Tests;

/// <summary>examples/AnalyticsService, run alone.</summary>
public sealed class AnalyticsServiceSpec(ITestOutputHelper log)
{
    [Fact]
    public async Task AnalyticsService_counts_concurrent_events_from_two_services_in_its_report()
    {
        var (exitCode, lines) = await ExampleProcess.RunAsync("AnalyticsService", log);

        Assert.Equal(0, exitCode);
        Assert.Contains("analytics-service registered: getReport, trackEvent", lines);
        var report = lines.SkipWhile(l => !l.StartsWith("getReport", StringComparison.Ordinal)).Take(3).Select(l => l.Trim());
        Assert.Equal(["getReport -> 5 events from 3 users", "order_created  2", "page_view      3"], report);
    }
}
