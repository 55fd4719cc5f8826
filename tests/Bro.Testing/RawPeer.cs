using System.Buffers.Binary;
using System.Net.Sockets;
using Bro.Codecs;
using Bro.Protocol;

namespace Bro.Testing;

/// <summary>
/// A service peer made of a bare Unix socket: it writes bytes exactly as a test gives them and
/// reads whole frames back, so tests see the gateway's wire behaviour with nothing in between.
/// </summary>
public sealed class RawPeer : IAsyncDisposable
{
    /// <summary>How long a read waits before the test fails.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private RawPeer(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Connects to the gateway at <paramref name="path"/>.</summary>
    public static async Task<RawPeer> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return new RawPeer(socket);
    }

    /// <summary>A peer over a socket the test connected itself (unit specs that accept the other end).</summary>
    public static RawPeer FromSocket(Socket socket) => new(socket);

    /// <summary>Writes raw bytes (frames, parts of frames, garbage).</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Shuts down the sending side only (a half-close): the peer still reads.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Frames a message in <paramref name="encoding"/> and writes it.</summary>
    public Task SendAsync(BroMessage message, BroEncoding encoding) =>
        WriteAsync(Frames.Serialize(message, encoding));

    /// <summary>Reads one frame's payload; fails the test after <see cref="ReadTimeout"/>.</summary>
    /// <exception cref="EndOfStreamException">The gateway closed the connection.</exception>
    public Task<byte[]> ReadPayloadAsync() => ReadPayloadAsync(ReadTimeout);

    /// <summary>Reads one frame's payload; fails the test after <paramref name="within"/>.</summary>
    /// <exception cref="EndOfStreamException">The gateway closed the connection.</exception>
    public async Task<byte[]> ReadPayloadAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var prefix = new byte[4];
        await _stream.ReadExactlyAsync(prefix, timeout.Token);
        var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(prefix)];
        await _stream.ReadExactlyAsync(payload, timeout.Token);
        return payload;
    }

    /// <summary>Reads one frame and decodes it with the codec its first byte names.</summary>
    public async Task<BroMessage> ReadAsync() => Frames.Deserialize(await ReadPayloadAsync());

    /// <summary>Reads one frame and checks it is a <typeparamref name="T"/>.</summary>
    public async Task<T> ReadAsync<T>() where T : BroMessage
    {
        var message = await ReadAsync();
        return message as T ?? throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name}, got {message}");
    }

    /// <summary>Completes when the gateway has closed the connection (reads until end of stream).</summary>
    public async Task<bool> WaitClosedAsync()
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var buffer = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Registers under <paramref name="name"/> and reads the REGISTER_ACK.</summary>
    public static async Task<RawPeer> RegisterAsync(string path, string name, BroEncoding encoding = BroEncoding.Json, int? poolIndex = null,
        TimeSpan? ackTimeout = null)
    {
        var peer = await ConnectAsync(path);
        var metadata = poolIndex is { } i ? RawValue.FromObject(new { poolIndex = i }, encoding) : null;
        await peer.SendAsync(new RegisterMessage(name, ["echo"], "1.0.0", metadata), encoding);
        var ack = Frames.Deserialize(await peer.ReadPayloadAsync(ackTimeout ?? ReadTimeout));
        _ = ack as RegisterAckMessage ?? throw new Xunit.Sdk.XunitException($"Expected RegisterAckMessage, got {ack}");
        return peer;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
