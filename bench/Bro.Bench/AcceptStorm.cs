using System.Diagnostics;
using System.Net.Sockets;

namespace Bro.Bench;

/// <summary>
/// Many services arriving at once: <c>count</c> connects started together from a few tasks,
/// each sending REGISTER (<c>storm-N</c>), timed from the first connect until every
/// REGISTER_ACK is in; then the gateway's resident set per registered connection. Then all of
/// them leaving at once, while a caller/callee pair makes sequential calls: its round trips
/// during the close against its round trips just before show whether closing stalls others.
/// </summary>
/// <remarks>
/// A Unix socket connect fails at once with EAGAIN ("resource temporarily unavailable") when the
/// listener's backlog is full. Such a refusal is counted, and the connect retried after 1 ms, so
/// the figure shows both how often the backlog overflowed and how long every service took to get
/// in anyway. Any other failure fails the storm.
/// </remarks>
internal static class AcceptStorm
{
    private const int Starters = 4;

    // The probe pair's number: the last 3-digit pair (ids hold 3 digits of it), far above the scenarios' pairs.
    private const int ProbePair = 999;
    private const int ProbeCalls = 3_000;

    public static async Task<AcceptStormResult> RunAsync(string path, string encoding, int pid, int count, CancellationToken cancellation)
    {
        await Task.Delay(500, cancellation);
        var rssBefore = ProcessProbe.RssMb(pid);
        var refused = 0;
        var retried = 0;
        var connections = new RawConnection?[count];
        try
        {
            var started = Stopwatch.GetTimestamp();
            // A few tasks each start their share of connects without awaiting any, so all are in
            // flight together; each connection then registers on its own.
            var starters = Enumerable.Range(0, Starters).Select(s => Task.Run(() =>
            {
                var mine = new List<Task>();
                for (var i = s; i < count; i += Starters)
                    mine.Add(Open(i));
                return Task.WhenAll(mine);
            }, cancellation));
            await Task.WhenAll(starters);
            var elapsed = Stopwatch.GetElapsedTime(started);

            await Task.Delay(1000, cancellation);
            var rssAfter = ProcessProbe.RssMb(pid);
            var registered = connections.Count(c => c is not null);
            var (before, during) = await ProbeCloseAsync(path, encoding, connections, cancellation);
            return new AcceptStormResult(encoding, count, registered, refused, retried,
                elapsed.TotalSeconds, rssBefore, rssAfter, before, during);
        }
        finally
        {
            foreach (var connection in connections)
                connection?.Dispose();
        }

        async Task Open(int index)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            var wasRefused = false;
            try
            {
                while (true)
                {
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellation);
                        break;
                    }
                    catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.TryAgain)
                    {
                        Interlocked.Increment(ref refused);
                        if (!wasRefused)
                            Interlocked.Increment(ref retried);
                        wasRefused = true;
                        // A failed connect leaves the socket unusable on some platforms: start afresh.
                        socket.Dispose();
                        socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                        await Task.Delay(1, cancellation);
                    }
                }
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            // A 4 KiB reader: the ack is a few dozen bytes, and a thousand 256 KiB buffers would
            // weigh on the driver for nothing.
            connections[index] = await RawConnection.RegisterAsync(socket, encoding, $"storm-{index}", 4096, cancellation);
        }
    }

    /// <summary>
    /// Sequential round trips of a fresh pair: <see cref="ProbeCalls"/> before, then as many while
    /// every storm connection is closed at once. Returns (before, during) as (p50, max) in ms.
    /// </summary>
    private static async Task<(ProbeLatency Before, ProbeLatency During)> ProbeCloseAsync(
        string path, string encoding, RawConnection?[] connections, CancellationToken cancellation)
    {
        using var probe = await RawPairs.ConnectAsync(path, encoding, ProbePair, 1, DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds(), cancellation);
        var (_, before) = await probe.RunAsync(ProbeCalls, 1, cancellation);

        var during = probe.RunAsync(ProbeCalls, 1, cancellation);
        for (var i = 0; i < connections.Length; i++)
        {
            connections[i]?.Dispose();
            connections[i] = null;
        }

        return (ProbeLatency.Of(before), ProbeLatency.Of((await during).Latencies));
    }
}
