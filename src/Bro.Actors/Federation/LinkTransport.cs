using System.Net.Security;
using System.Net.Sockets;

namespace Bro.Federation;

/// <summary>
/// One TCP connection of a data link: the socket, and the TLS stream over it when the cluster
/// speaks TLS. Frames are written through an <see cref="Connection.OutboundBuffer"/> and read with
/// <see cref="ReceiveAsync"/>; without TLS both go to the socket directly, as a service's
/// connection does.
/// </summary>
internal sealed class LinkTransport : IDisposable
{
    private LinkTransport(Socket socket, SslStream? tls)
    {
        Socket = socket;
        Tls = tls;
    }

    /// <summary>The connection's socket.</summary>
    public Socket Socket { get; }

    /// <summary>The TLS stream over <see cref="Socket"/>; <c>null</c> without TLS.</summary>
    public SslStream? Tls { get; }

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/>, and authenticates as a TLS client when <paramref name="tls"/> is given.</summary>
    public static async Task<LinkTransport> ConnectAsync(string host, int port, SslClientAuthenticationOptions? tls, CancellationToken cancel)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancel).ConfigureAwait(false);
            return await SecureAsync(socket, tls is null ? null : stream => stream.AuthenticateAsClientAsync(tls, cancel)).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Takes an accepted socket, and authenticates as the TLS server when <paramref name="tls"/> is given.</summary>
    public static async Task<LinkTransport> AcceptAsync(Socket socket, SslServerAuthenticationOptions? tls, CancellationToken cancel)
    {
        socket.NoDelay = true;
        try
        {
            return await SecureAsync(socket, tls is null ? null : stream => stream.AuthenticateAsServerAsync(tls, cancel)).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads what has arrived into <paramref name="buffer"/>; 0 at the end of the stream.</summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancel = default) =>
        Tls is null ? Socket.ReceiveAsync(buffer, SocketFlags.None, cancel) : Tls.ReadAsync(buffer, cancel);

    /// <summary>Writes all of <paramref name="bytes"/>.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancel)
    {
        if (Tls is not null)
            await Tls.WriteAsync(bytes, cancel).ConfigureAwait(false);
        else
            await Socket.SendAsync(bytes, SocketFlags.None, cancel).ConfigureAwait(false);
    }

    /// <summary>Reads exactly <paramref name="buffer"/>'s length; false when the stream ended first.</summary>
    public async ValueTask<bool> ReceiveExactlyAsync(Memory<byte> buffer, CancellationToken cancel)
    {
        while (buffer.Length > 0)
        {
            var read = await ReceiveAsync(buffer, cancel).ConfigureAwait(false);
            if (read == 0)
                return false;
            buffer = buffer[read..];
        }

        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Tls?.Dispose();
        Socket.Dispose();
    }

    /// <summary>The transport over <paramref name="socket"/>, TLS when <paramref name="authenticate"/> is given.</summary>
    private static async Task<LinkTransport> SecureAsync(Socket socket, Func<SslStream, Task>? authenticate)
    {
        if (authenticate is null)
            return new LinkTransport(socket, null);
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        try
        {
            await authenticate(stream).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new LinkTransport(socket, stream);
    }
}
