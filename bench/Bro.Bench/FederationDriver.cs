using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bro.Bench;

/// <summary>
/// <c>--driver federation</c>: the raw driver's workload across two gateways of one cluster on
/// loopback, beside the same workload on one of them. Gateway A serves the callees; the
/// callers connect to A (local) or to B (cross-gateway: each CALL crosses B -> A on a data
/// link and its RESPONSE A -> B). Also measures two floors: one TCP round trip on loopback, the
/// least a data link can cost, and one Akka.Remote round trip, what a message between
/// gateways costs when it goes through the cluster instead (see <see cref="RemotingRoundTrip"/>).
/// </summary>
internal static class FederationDriver
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(180);

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var dir = Directory.CreateTempSubdirectory("bro-fed-").FullName;
        try
        {
            int N(int full, int min) => Math.Max(min, (int)(full * options.Scale));
            var sequential = N(20_000, 2_000);
            var pipelined = N(200_000, 20_000);
            var (portA, portB) = (FreePort(), FreePort());
            var seed = $"akka.tcp://bro@127.0.0.1:{portA}";
            var (socketA, socketB) = (Path.Combine(dir, "a.sock"), Path.Combine(dir, "b.sock"));
            await using var a = ChildProcess.Start(ChildProcess.Gateway, ["serve", "--socket", socketA, "--cluster-port", $"{portA}", "--seed-node", seed],
                "listening", options.GatewayEnv);
            await a.ReadyAsync();
            await using var b = ChildProcess.Start(ChildProcess.Gateway, ["serve", "--socket", socketB, "--cluster-port", $"{portB}", "--seed-node", seed],
                "listening", options.GatewayEnv);
            await b.ReadyAsync();

            var loopback = LoopbackRoundTripMs(N(20_000, 2_000));
            Console.WriteLine($"loopback TCP round trip p50 {loopback:N3} ms");
            var remoting = await RemotingRoundTrip.MeasureAsync();
            Console.WriteLine($"akka.remote round trip p50 {remoting.P50Ms:N3} ms p90 {remoting.P90Ms:N3} ms");
            var deadline = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
            var pair = 0;
            foreach (var encoding in new[] { "json", "msgpack" })
            {
                foreach (var (name, calls, inFlight) in new[] { ("seq", sequential, 1), ("pipelined", pipelined, 1_000) })
                {
                    var local = await Measure($"local {encoding} {name}", socketA, socketA, encoding, pair++, calls, inFlight, deadline, [a.Id], null);
                    var cross = await Measure($"cross {encoding} {name}", socketA, socketB, encoding, pair++, calls, inFlight, deadline, [a.Id, b.Id],
                        socketB);
                    Console.WriteLine($"{encoding,-8} {name,-10} local {local.CallsPerSecond,9:N0} calls/s p50 {local.P50Ms:N3} ms {local.CpuUsPerCall:N1} µs CPU | " +
                        $"cross {cross.CallsPerSecond,9:N0} calls/s p50 {cross.P50Ms:N3} ms {cross.CpuUsPerCall:N1} µs CPU (both gateways) | " +
                        $"cross/local: {cross.CallsPerSecond / local.CallsPerSecond:P0} of the calls/s, p50 x{cross.P50Ms / local.P50Ms:N2}");
                }
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<RawMeasurement> Measure(string step, string calleeSocket, string callerSocket, string encoding, int pair, int calls,
        int inFlight, long deadline, int[] pids, string? routeWaitSocket)
    {
        using var timeout = new CancellationTokenSource(StepTimeout);
        try
        {
            using var pairs = await RawPairs.ConnectAsync(calleeSocket, callerSocket, encoding, pair, 1, deadline, timeout.Token);
            if (routeWaitSocket is not null)
                await WaitForRouteAsync(routeWaitSocket, $"raw-svc-{pair}", timeout.Token);
            await pairs.RunAsync(Math.Max(inFlight, calls / 10), inFlight, timeout.Token);
            var cpuBefore = pids.Sum(p => ProcessProbe.CpuTime(p).TotalSeconds);
            var (elapsed, latencies) = await pairs.RunAsync(calls, inFlight, timeout.Token);
            var cpu = pids.Sum(p => ProcessProbe.CpuTime(p).TotalSeconds) - cpuBefore;
            Array.Sort(latencies);
            return new RawMeasurement(latencies.Length, elapsed.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), cpu);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"federation driver: {step} did not finish within {StepTimeout.TotalSeconds:N0} s");
        }
    }

    /// <summary>Asks <c>bro services</c> on the caller's gateway until the directory routes <paramref name="service"/> there.</summary>
    private static async Task WaitForRouteAsync(string socket, string service, CancellationToken cancellation)
    {
        while (true)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, ChildProcess.Gateway), "services", "--socket", socket })
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync(cancellation);
            await process.WaitForExitAsync(cancellation);
            if (output.Split('\n').Any(l => l.StartsWith(service + " ", StringComparison.Ordinal)))
                return;
        }
    }

    /// <summary>The median time for 64 bytes to go to a loopback TCP peer and back.</summary>
    private static double LoopbackRoundTripMs(int rounds)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient { NoDelay = true };
        client.Connect((IPEndPoint)listener.LocalEndpoint);
        using var server = listener.AcceptTcpClient();
        server.NoDelay = true;
        var echo = new Thread(() =>
        {
            var buffer = new byte[64];
            var stream = server.GetStream();
            for (var i = 0; i < rounds; i++)
            {
                stream.ReadExactly(buffer);
                stream.Write(buffer);
            }
        }) { IsBackground = true };
        echo.Start();
        var stream = client.GetStream();
        var message = new byte[64];
        var times = new long[rounds];
        for (var i = 0; i < rounds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            stream.Write(message);
            stream.ReadExactly(message);
            times[i] = Stopwatch.GetTimestamp() - started;
        }

        echo.Join();
        Array.Sort(times);
        return Percentile(times, 0.50);
    }

    private static double Percentile(long[] sorted, double p) =>
        Stopwatch.GetElapsedTime(0, sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))]).TotalMilliseconds;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
