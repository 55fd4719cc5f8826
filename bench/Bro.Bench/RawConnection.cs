using System.Net.Sockets;

namespace Bro.Bench;

/// <summary>A raw driver connection: a plain Unix socket that has sent REGISTER and seen REGISTER_ACK.</summary>
internal sealed class RawConnection : IDisposable
{
    private RawConnection(Socket socket, RawFrameReader reader)
    {
        Socket = socket;
        Reader = reader;
    }

    public Socket Socket { get; }

    /// <summary>Frames after the REGISTER_ACK.</summary>
    public RawFrameReader Reader { get; }

    /// <summary>Connects to <paramref name="path"/>, registers <paramref name="name"/> and waits for the ack; an ERROR (e.g. a duplicate name) throws.</summary>
    public static async Task<RawConnection> RegisterAsync(string path, string encoding, string name, CancellationToken cancellation)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellation);
        return await RegisterAsync(socket, encoding, name, RawFrameReader.DefaultCapacity, cancellation);
    }

    /// <summary>Registers on <paramref name="socket"/>, already connected (the accept storm connects on its own, counting refusals); owns the socket from here on.</summary>
    public static async Task<RawConnection> RegisterAsync(Socket socket, string encoding, string name, int readerCapacity, CancellationToken cancellation)
    {
        try
        {
            await socket.SendAsync(RawFrames.Register(encoding, name), SocketFlags.None, cancellation);
            var reader = new RawFrameReader(socket, readerCapacity);
            var ack = await reader.NextAsync(cancellation);
            if (!RawFrames.IsRegisterAck(ack))
                throw new InvalidOperationException($"{name}: expected REGISTER_ACK, got {RawFrames.Describe(ack)}");
            return new RawConnection(socket, reader);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => Socket.Dispose();
}
