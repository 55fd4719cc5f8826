using System.Globalization;
using System.Text;

namespace Bro.Bench;

/// <summary>The report as a Markdown table (stdout and the README).</summary>
internal static class ReportTable
{
    public static string Format(BenchReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Bro bench, {report.Date}, {report.Processors} cores, {report.Machine}, scale {report.Scale}");
        text.AppendLine(CultureInfo.InvariantCulture, $"({report.FloorDefinition})");
        text.AppendLine();
        text.AppendLine("| scenario | enc | calls | gateway calls/s | floor calls/s | x floor | gateway p50 ms | floor p50 ms | x floor | gateway p99 ms | floor p99 ms | gateway peak MB | gateway CPU s | floor CPU s |");
        text.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var r in report.Results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.Encoding} | {r.Gateway.Calls} | {r.Gateway.CallsPerSecond:N0} | {r.Floor.CallsPerSecond:N0} | {r.ThroughputRatio:N2} " +
                $"| {r.Gateway.P50Ms:N3} | {r.Floor.P50Ms:N3} | {r.P50Ratio:N2} | {r.Gateway.P99Ms:N2} | {r.Floor.P99Ms:N2} " +
                $"| {r.Gateway.ServerPeakRssMb:N0} | {r.Gateway.ServerCpuSeconds:N2} | {r.Floor.ServerCpuSeconds:N2} |");
        }

        text.AppendLine();
        text.AppendLine("| client cost (gateway) | enc | client CPU µs/call | client B/call | callees CPU µs/call |");
        text.AppendLine("|---|---|--:|--:|--:|");
        foreach (var r in report.Results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.Encoding} | {r.Gateway.ClientCpuMicrosPerCall:N1} | {r.Gateway.ClientBytesPerCall:N0} | {r.Gateway.CalleeCpuMicrosPerCall:N1} |");
        }

        if (report.IdleConnections is not { } idle)
            return text.ToString();
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{idle.Connections} idle registered connections: gateway RSS {idle.RssBeforeMb:N1} MB -> {idle.RssAfterMb:N1} MB (+{idle.AddedMb:N1} MB)");
        return text.ToString();
    }
}
