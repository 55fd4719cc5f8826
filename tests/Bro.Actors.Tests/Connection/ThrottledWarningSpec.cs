using Akka.TestKit.Xunit2;
using Bro.Connection.Internal;
using Xunit;

namespace Bro.Actors.Tests.Connection;

public sealed class ThrottledWarningSpec : TestKit
{
    [Fact]
    public void ThrottledWarning_logs_one_line_per_interval_and_counts_the_rest()
    {
        var warning = new ThrottledWarning(Sys.Log, TimeSpan.FromSeconds(1));

        EventFilter.Warning(start: "Connection refused").Expect(1, () =>
        {
            warning.Warn("Connection refused: first", nowMs: 0);
            for (var i = 0; i < 99; i++)
                warning.Warn("Connection refused: again", nowMs: 999);
        });
        EventFilter.Warning(message: "Connection refused: later (99 more like it since the last one logged)").ExpectOne(() =>
            warning.Warn("Connection refused: later", nowMs: 1000));
        EventFilter.Warning(message: "Connection refused: quiet since").ExpectOne(() =>
            warning.Warn("Connection refused: quiet since", nowMs: 5000));
    }
}
