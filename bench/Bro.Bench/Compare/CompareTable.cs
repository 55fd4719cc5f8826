using System.Globalization;
using System.Text;

namespace Bro.Bench.Compare;

/// <summary>The comparison as Markdown tables: each figure's median over the rounds with its [min-max].</summary>
internal static class CompareTable
{
    private const string Cold = "cold-pipelined-echo-64";
    private const string Warm = "pipelined-echo-64";

    public static string Format(CompareReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Bro vs gRPC, {report.Date}, {report.Processors} cores, {report.Machine}, scale {report.Scale}, " +
            $"{report.Rounds} rounds (order rotated), median [min-max]");
        text.AppendLine(CultureInfo.InvariantCulture, $"({report.Definition})");
        text.AppendLine();
        text.AppendLine("| scenario | target | calls | calls/s | p50 ms | p99 ms | client CPU µs/call | gateway CPU µs/call | server CPU µs/call | total CPU µs/call | p50 x gRPC | calls/s x gRPC | CPU x gRPC |");
        text.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var r in report.Results.Where(r => r.Scenario != Cold))
        {
            var grpc = report.Results.FirstOrDefault(g => g.Scenario == r.Scenario && g.Target == "grpc");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.Target} | {r.Calls} | {S(r.CallsPerSecond, "N0")} | {S(r.P50Ms, "N3")} | {S(r.P99Ms, "N2")} " +
                $"| {M(r.ClientCpuUsPerCall)} | {(r.GatewayCpuUsPerCall is { } g ? M(g) : "-")} | {M(r.ServerCpuUsPerCall)} | {S(r.TotalCpuUsPerCall, "N1")} " +
                $"| {Ratio(r.P50Ms, grpc?.P50Ms)} | {Ratio(r.CallsPerSecond, grpc?.CallsPerSecond)} | {Ratio(r.TotalCpuUsPerCall, grpc?.TotalCpuUsPerCall)} |");
        }

        foreach (var incident in report.Incidents)
            text.AppendLine(CultureInfo.InvariantCulture, $"- {incident}");

        var colds = report.Results.Where(r => r.Scenario == Cold).ToList();
        if (colds.Count == 0)
            return text.ToString();
        text.AppendLine();
        text.AppendLine("| cold vs warm (64 B, 1,000 in flight) | cold calls | cold calls/s | warm calls/s | cold/warm | cold CPU µs/call | warm CPU µs/call | cold/warm |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var cold in colds)
        {
            var warm = report.Results.FirstOrDefault(w => w.Scenario == Warm && w.Target == cold.Target);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {cold.Target} | {cold.Calls} | {S(cold.CallsPerSecond, "N0")} | {(warm is null ? "-" : S(warm.CallsPerSecond, "N0"))} " +
                $"| {Ratio(cold.CallsPerSecond, warm?.CallsPerSecond)} | {S(cold.TotalCpuUsPerCall, "N1")} " +
                $"| {(warm is null ? "-" : S(warm.TotalCpuUsPerCall, "N1"))} | {Ratio(cold.TotalCpuUsPerCall, warm?.TotalCpuUsPerCall)} |");
        }

        return text.ToString();
    }

    private static string S(CompareResult.Spread s, string format) =>
        string.Format(CultureInfo.InvariantCulture, $"{{0:{format}}} [{{1:{format}}}-{{2:{format}}}]", s.Median, s.Min, s.Max);

    private static string M(CompareResult.Spread s) => s.Median.ToString("N1", CultureInfo.InvariantCulture);

    private static string Ratio(CompareResult.Spread value, CompareResult.Spread? baseline) =>
        baseline is null ? "-" : (value.Median / baseline.Median).ToString("N2", CultureInfo.InvariantCulture);
}
