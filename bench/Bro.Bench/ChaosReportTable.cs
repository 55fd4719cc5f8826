using System.Text;

namespace Bro.Bench;

/// <summary>The chaos run's summary as Markdown tables: calls and their ends, the gateway's figures, the chaos done, the rules.</summary>
internal static class ChaosReportTable
{
    public static string Format(ChaosResult r)
    {
        var t = r.Tally;
        var text = new StringBuilder();
        text.AppendLine($"Chaos run: {r.Date}, {r.Seconds:N1} s of load, nproc = {r.Processors}, CPU `{r.Cpu}`");
        text.AppendLine();
        text.AppendLine("| calls made | calls/s | lost | duplicated | strays | unexpected | late (> deadline + " + $"{r.GraceMs:N0} ms) | worst past deadline ms |");
        text.AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|");
        text.AppendLine($"| {t.Made:N0} | {t.Made / r.Seconds:N0} | {t.Lost:N0} | {t.Duplicated:N0} | {t.Strays:N0} | {t.Unexpected:N0} | {t.Late:N0} of {t.JudgedForLateness:N0} | {t.WorstLateMs:N0} |");
        text.AppendLine();
        text.AppendLine("| outcome | calls |");
        text.AppendLine("|---|--:|");
        foreach (var (outcome, calls) in t.Outcomes)
            text.AppendLine($"| {outcome} | {calls:N0} |");
        text.AppendLine();
        text.AppendLine("| gateway CPU s | CPU % of a core | RSS start MB | RSS peak MB | RSS end MB | end limit MB | alive at end |");
        text.AppendLine("|--:|--:|--:|--:|--:|--:|---|");
        text.AppendLine($"| {r.GatewayCpuSeconds:N1} | {100 * r.GatewayCpuSeconds / r.Seconds:N0} | {r.RssStartMb:N1} | {r.RssPeakMb:N1} | {r.RssEndMb:N1} | {r.RssEndLimitMb:N1} | {(r.GatewayAlive ? "yes" : "NO")} |");
        text.AppendLine();
        var e = r.Events;
        text.AppendLine($"Chaos: {e.CalleeKills} SIGKILLs of {ChaosMix.Echo} (pool of 3, own process), {e.CalleeAborts} abrupt closes of {ChaosMix.Flaky} " +
            $"and {e.PoolMemberAborts} of one of its pool members, {e.CallerQuits} abrupt closes of a caller with calls in flight, " +
            $"{e.RegisterRefusalsRetried} refused re-REGISTERs retried by the in-driver peers, {e.SlowReaderPauses} reading pauses " +
            $"({ChaosMix.Sink} 3 s, a caller 2 s), {e.SlowConsumersDropped} drops of {ChaosMix.Sink} as a slow consumer, {e.Bursts} bursts of {ChaosLoad.BurstCalls} x 1 MiB, {e.GreedyRounds} rounds over max-calls-in-flight; vandal: " +
            string.Join(", ", e.VandalActs.Select(a => $"{a.Key} {a.Value}")));
        text.AppendLine();
        text.AppendLine("| rule | verdict | figures |");
        text.AppendLine("|---|---|---|");
        foreach (var rule in r.Rules)
            text.AppendLine($"| {rule.Name} | {(rule.Passed ? "pass" : "FAIL")} | {rule.Detail} |");
        if (t.WorstLate.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Latest answers (caller -> target.method: outcome):");
            foreach (var late in t.WorstLate)
                text.AppendLine($"- {late}");
        }

        if (t.Samples.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("First unexpected things seen:");
            foreach (var sample in t.Samples)
                text.AppendLine($"- {sample}");
        }

        if (r.GatewayLogSample.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Gateway log, warnings and errors (each kind: how many, then its first line):");
            foreach (var line in r.GatewayLogSample)
                text.AppendLine($"    {line}");
        }

        text.AppendLine();
        text.AppendLine(r.Passed ? "chaos: PASS" : "chaos: FAIL");
        return text.ToString();
    }
}
