using System.Globalization;
using System.Text;

namespace Bro.Bench;

/// <summary>The raw driver's report as Markdown tables (stdout and the README).</summary>
internal static class RawReportTable
{
    public static string Format(RawReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Raw driver ({report.Definition})");
        text.AppendLine();
        text.AppendLine("| scenario | enc | calls | gateway calls/s | floor calls/s | x floor | gateway p50 ms | floor p50 ms | gateway p99 ms | floor p99 ms | gateway CPU µs/call | floor CPU µs/call | x floor |");
        text.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var r in report.Results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.Encoding} | {r.Gateway.Calls} | {r.Gateway.CallsPerSecond:N0} | {r.Floor.CallsPerSecond:N0} | {r.ThroughputRatio:N2} " +
                $"| {r.Gateway.P50Ms:N3} | {r.Floor.P50Ms:N3} | {r.Gateway.P99Ms:N3} | {r.Floor.P99Ms:N3} " +
                $"| {r.Gateway.CpuUsPerCall:N2} | {r.Floor.CpuUsPerCall:N2} | {r.CpuRatio:N2} |");
        }

        text.AppendLine();
        text.AppendLine("| cold vs warm | enc | calls | cold calls/s | warm calls/s | cold/warm | cold CPU µs/call | warm CPU µs/call | cold/warm |");
        text.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var c in report.ColdWarm)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {c.Target} | {c.Encoding} | {c.Calls} | {c.Cold.CallsPerSecond:N0} | {c.WarmCallsPerSecond:N0} | {c.ThroughputRatio:N2} " +
                $"| {c.Cold.CpuUsPerCall:N2} | {c.WarmCpuUsPerCall:N2} | {c.CpuRatio:N2} |");
        }

        if (report.AcceptStorms.Count == 0)
            return text.ToString();
        text.AppendLine();
        text.AppendLine("| accept storm (gateway) | connections | registered | connects refused (retried) | connections retried | s to all acks | RSS before MB | RSS after MB | KB per connection | probe p50 / max ms before close | probe p50 / max ms during close |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var s in report.AcceptStorms)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.Encoding} | {s.Connections} | {s.Registered} | {s.RefusedConnects} | {s.ConnectionsRetried} | {s.SecondsToAllAcks:N3} " +
                $"| {s.RssBeforeMb:N1} | {s.RssAfterMb:N1} | {s.KbPerConnection:N1} " +
                $"| {s.ProbeBefore.P50Ms:N3} / {s.ProbeBefore.MaxMs:N1} | {s.ProbeDuringClose.P50Ms:N3} / {s.ProbeDuringClose.MaxMs:N1} |");
        }

        return text.ToString();
    }
}
