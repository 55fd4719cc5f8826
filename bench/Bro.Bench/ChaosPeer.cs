using System.Net.Sockets;
using Bro.Codecs;
using Bro.Protocol;

namespace Bro.Bench;

/// <summary>
/// One registered connection of the chaos run (a caller's or a service's): REGISTER and its
/// ack, then a read loop that decodes every frame with the public codecs and hands it to the
/// owner, heartbeats, and writes serialised by a lock. It can stop reading for a while (a slow
/// reader) and be closed abruptly (a peer that dies mid-call).
/// </summary>
/// <remarks>
/// <para>The handler runs on the read loop and must not block: replies that wait (a sleeping
/// method, a nested call) go on tasks of their own, so a full socket on the write side never
/// stops this peer from reading, which would deadlock it with the gateway's flow control.</para>
/// <para>Decoding costs the bench more than the raw driver's patched templates, on purpose:
/// the chaos run checks every answer, not speed.</para>
/// </remarks>
internal sealed class ChaosPeer : IDisposable
{
    /// <summary>Room for a 1 MiB burst frame, grown by transcoding, with its envelope.</summary>
    public const int DefaultReaderCapacity = 3 * 1024 * 1024;
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly RawFrameReader _reader;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<ChaosPeer, BroMessage> _onMessage;
    private volatile Task _readGate = Task.CompletedTask;
    private int _closed;

    private ChaosPeer(Socket socket, RawFrameReader reader, BroEncoding encoding, string name, Action<ChaosPeer, BroMessage> onMessage)
    {
        _socket = socket;
        _reader = reader;
        Encoding = encoding;
        Name = name;
        _onMessage = onMessage;
        Reading = Task.Run(ReadLoopAsync);
        _ = HeartbeatLoopAsync();
    }

    public BroEncoding Encoding { get; }

    /// <summary>The frames read lately (read on the read loop, where messages are handled).</summary>
    public ReadHistory History { get; } = new();

    /// <summary>The registered service name.</summary>
    public string Name { get; }

    /// <summary>Completes when the connection has ended, for whatever reason; never faults.</summary>
    public Task Reading { get; }

    /// <summary>What broke the read loop other than the connection ending (a frame that does not decode), if anything.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Whether this side closed the connection (<see cref="Dispose"/>), as opposed to the gateway or a failure.</summary>
    public bool ClosedHere => Volatile.Read(ref _closed) != 0;

    /// <summary>
    /// Connects, registers <paramref name="name"/> (joining its pool when <paramref name="poolIndex"/>
    /// is set) and waits for REGISTER_ACK. A refusal throws <see cref="ChaosRegisterRefusedException"/>.
    /// </summary>
    public static async Task<ChaosPeer> ConnectAsync(
        string path, BroEncoding encoding, string name, int? poolIndex, IReadOnlyList<string> methods,
        Action<ChaosPeer, BroMessage> onMessage, CancellationToken cancellation, int readerCapacity = DefaultReaderCapacity)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellation);
            var metadata = poolIndex is { } index ? RawValue.FromObject(new { poolIndex = index }, encoding) : null;
            await socket.SendAsync(Frames.Serialize(new RegisterMessage(name, methods, null, metadata), encoding), SocketFlags.None, cancellation);
            var reader = new RawFrameReader(socket, readerCapacity);
            var answer = MessageCodecs.For(encoding).Decode(await reader.NextAsync(cancellation));
            if (answer is ErrorMessage error)
                throw new ChaosRegisterRefusedException($"{name}: {error.Error.Code} {error.Error.Message}");
            if (answer is not RegisterAckMessage)
                throw new InvalidDataException($"{name}: expected REGISTER_ACK, got {answer.Type}");
            return new ChaosPeer(socket, reader, encoding, name, onMessage);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Writes one message; false when the connection is gone (the caller accounts for it).</summary>
    public Task<bool> SendAsync(BroMessage message) => SendAsync(Frames.Serialize(message, Encoding));

    /// <summary>Writes bytes as they are (several frames, or a deliberately broken one); false when the connection is gone.</summary>
    public async Task<bool> SendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await _writing.WaitAsync(_stop.Token);
            try
            {
                await _socket.SendAsync(bytes, SocketFlags.None, _stop.Token);
                return true;
            }
            finally
            {
                _writing.Release();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops reading for <paramref name="pause"/>: the gateway's queue toward this peer grows meanwhile.</summary>
    public void PauseReading(TimeSpan pause) => _readGate = Task.Delay(pause);

    /// <summary>Closes the connection at once, whatever is in flight; idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        _stop.Cancel();
        _socket.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var codec = MessageCodecs.For(Encoding);
        try
        {
            while (true)
            {
                while (_reader.TryNext(out var payload))
                {
                    History.Read(payload.Length);
                    _onMessage(this, codec.Decode(payload.ToArray()));
                }
                await _readGate;
                if (!await _reader.FillAsync(_stop.Token))
                    return;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection ended: Reading completing is the news.
        }
        catch (Exception e)
        {
            Failure = e;
            _socket.Dispose();
        }
        finally
        {
            _stop.Cancel();
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        // A service that only receives calls for a while still sends something, so the
        // gateway's heartbeat-timeout never evicts a live chaos peer.
        try
        {
            while (true)
            {
                await Task.Delay(HeartbeatInterval, _stop.Token);
                await SendAsync(new HeartbeatMessage(Name, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
