using System.Globalization;
using Bro.Protocol;

namespace Bro.Bench;

/// <summary>
/// <c>--memory-burst</c>: does the gateway give memory back after big frames? One caller sends
/// four CALLs of 16 MiB (just under max-frame-size) at once to an echo service, which sends
/// them back; the gateway's RSS is printed before, right after the answers, each second of
/// <see cref="Idle"/> with both connections still open, and once they have closed.
/// </summary>
internal static class MemoryBurst
{
    private const int Frames = 4;
    private static readonly int ParamsBytes = 16 * 1024 * 1024 - 4 * 1024;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var dir = Directory.CreateTempSubdirectory("bro-burst-").FullName;
        try
        {
            var socket = Path.Combine(dir, "gateway.sock");
            await using var gateway = ChildProcess.Start(ChildProcess.Gateway, ["--socket", socket], "listening", options.GatewayEnv);
            await gateway.ReadyAsync();
            var pid = gateway.Id;
            var ledger = new ChaosLedger(TimeSpan.FromSeconds(1));
            const int capacity = 17 * 1024 * 1024;
            using var echo = new ChaosService(socket, BroEncoding.Json, "burst-echo", 1, ledger, capacity);
            await echo.StartAsync(CancellationToken.None);
            var caller = await ChaosCaller.StartAsync(socket, BroEncoding.Json, "burst-caller", ledger, judgesLateness: false, CancellationToken.None,
                readerCapacity: capacity);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var start = ProcessProbe.RssMb(pid);
            ProcessProbe.ResetPeak(pid);

            var parameters = RawValue.FromObject(new ChaosParams(Pad: new string('x', ParamsBytes)), BroEncoding.Json);
            await Task.WhenAll(Enumerable.Range(0, Frames).Select(_ => caller.CallAsync("burst-echo", "echo", parameters, TimeSpan.FromSeconds(30))));
            var afterBurst = ProcessProbe.RssMb(pid);
            var peak = ProcessProbe.PeakRssMb(pid);
            var idle = new List<double>();
            for (var second = 0; second < Idle.TotalSeconds; second++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                idle.Add(ProcessProbe.RssMb(pid));
            }

            caller.Dispose();
            echo.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(3));
            var closed = ProcessProbe.RssMb(pid);
            var outcomes = string.Join(", ", ledger.Snapshot().Outcomes.Select(o => $"{o.Key} {o.Value}"));
            Console.WriteLine($"memory burst: {Frames} x {ParamsBytes / 1024.0 / 1024:N2} MiB echoed ({outcomes}); gateway env [{string.Join(' ', options.GatewayEnv)}]");
            Console.WriteLine($"RSS MB: start {start:N1}, peak {peak:N1}, after burst {afterBurst:N1}, idle 1..{Idle.TotalSeconds:N0} s " +
                $"[{string.Join(' ', idle.Select(m => m.ToString("N1", CultureInfo.InvariantCulture)))}], connections closed +3 s {closed:N1}");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
