using System.Diagnostics;

namespace Bro.Bench;

/// <summary>
/// Caller/callee pairs on one server, all in the driver process. Each pair's callee connects and
/// is acked before its caller connects: the floor pairs connections in accept order, so this
/// pairs every caller with its own callee there; the gateway does not care.
/// </summary>
internal sealed class RawPairs : IDisposable
{
    private readonly List<RawCallee> _callees = [];
    private readonly List<RawCaller> _callers = [];

    private RawPairs()
    {
    }

    /// <summary>Connects pairs <paramref name="firstPair"/> to <paramref name="firstPair"/> + <paramref name="count"/> - 1.</summary>
    public static Task<RawPairs> ConnectAsync(string path, string encoding, int firstPair, int count, long deadlineMs, CancellationToken cancellation) =>
        ConnectAsync(path, path, encoding, firstPair, count, deadlineMs, cancellation);

    /// <summary>
    /// Connects the pairs with callees on one server and callers on another (two gateways of a
    /// cluster, <see cref="FederationDriver"/>); the caller's server must route to the callee's.
    /// </summary>
    public static async Task<RawPairs> ConnectAsync(string calleePath, string callerPath, string encoding, int firstPair, int count, long deadlineMs,
        CancellationToken cancellation)
    {
        var pairs = new RawPairs();
        try
        {
            for (var pair = firstPair; pair < firstPair + count; pair++)
            {
                var frames = RawFrames.For(encoding, pair, deadlineMs);
                pairs._callees.Add(await RawCallee.StartAsync(calleePath, frames, pair, cancellation));
                pairs._callers.Add(await RawCaller.StartAsync(callerPath, frames, pair, cancellation));
            }

            return pairs;
        }
        catch
        {
            pairs.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs every caller at once; returns the wall time until the last is answered and every
    /// call's latency. A callee that fails or loses its connection fails the run at once, rather
    /// than leaving its caller waiting for the timeout.
    /// </summary>
    public async Task<(TimeSpan Elapsed, long[] Latencies)> RunAsync(int callsPerPair, int inFlightPerPair, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        var callers = Task.WhenAll(_callers.Select(c => c.RunAsync(callsPerPair, inFlightPerPair, cancellation)));
        var callee = await Task.WhenAny(_callees.Select(c => c.Serving).Append(callers));
        if (callee != callers)
        {
            await callee;
            throw new InvalidOperationException("the server closed a raw callee's connection during the run");
        }

        var latencies = (await callers).SelectMany(l => l).ToArray();
        return (Stopwatch.GetElapsedTime(started), latencies);
    }

    public void Dispose()
    {
        foreach (var caller in _callers)
            caller.Dispose();
        foreach (var callee in _callees)
            callee.Dispose();
    }
}
