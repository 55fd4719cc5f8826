using System.Net.Sockets;

namespace Bro.Bench;

/// <summary>
/// The raw driver's service <c>raw-svc-K</c>: answers every CALL with the canned RESPONSE,
/// its id copied in, and writes all the RESPONSEs of one read back in one socket write.
/// Runs on its own task in the driver process until disposed.
/// </summary>
/// <remarks>
/// The callee never waits on its caller: it only reads its own socket and writes its own, so a
/// caller blocked on a full socket cannot stall it. A frame that is not a CALL laid out like the
/// template fails <see cref="Serving"/>, which the driver watches beside the callers.
/// </remarks>
internal sealed class RawCallee : IDisposable
{
    private readonly RawConnection _connection;
    private readonly RawFrames _frames;
    private readonly CancellationTokenSource _stop = new();

    // RESPONSE templates laid end to end, one slot per frame a read can hold: only ids change.
    private readonly byte[] _responses;

    private RawCallee(RawConnection connection, RawFrames frames)
    {
        _connection = connection;
        _frames = frames;
        var slots = RawFrameReader.DefaultCapacity / frames.Call.Length + 1;
        _responses = new byte[slots * frames.Response.Length];
        for (var i = 0; i < slots; i++)
            frames.Response.CopyTo(_responses, i * frames.Response.Length);
        Serving = Task.Run(ServeAsync);
    }

    /// <summary>Completes when the connection closes; faults on a frame that is not the expected CALL.</summary>
    public Task Serving { get; }

    /// <summary>Connects and registers <c>raw-svc-{pair}</c>, then serves.</summary>
    public static async Task<RawCallee> StartAsync(string path, RawFrames frames, int pair, CancellationToken cancellation)
    {
        var connection = await RawConnection.RegisterAsync(path, frames.Encoding, $"raw-svc-{pair}", cancellation);
        return new RawCallee(connection, frames);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _connection.Dispose();
        // Closing the socket ends the loop with an exception that is only the shutdown.
        Serving.ContinueWith(t => t.Exception, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        var reader = _connection.Reader;
        while (await reader.FillAsync(_stop.Token))
        {
            var bytes = Answer(reader);
            if (bytes > 0)
                await _connection.Socket.SendAsync(_responses.AsMemory(0, bytes), SocketFlags.None, _stop.Token);
        }
    }

    /// <summary>Patches one RESPONSE slot per complete CALL; returns the bytes to write.</summary>
    private int Answer(RawFrameReader reader)
    {
        var idOffset = _frames.IdOffset;
        var length = _frames.Response.Length;
        var written = 0;
        while (reader.TryNext(out var payload))
        {
            if (!_frames.IsCall(payload))
                throw new InvalidDataException($"raw callee expected a CALL laid out like its template, got {RawFrames.Describe(payload)}");
            payload.Slice(idOffset - 4, RawFrames.IdLength).CopyTo(_responses.AsSpan(written + idOffset));
            written += length;
        }

        return written;
    }
}
