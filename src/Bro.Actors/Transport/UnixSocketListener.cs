using System.Net.Sockets;
using Bro.Transport.Internal;

namespace Bro.Transport;

/// <summary>
/// A listening Unix socket handing out accepted sockets as they are: the gateway's own accept
/// loop, for connections it reads and writes itself (the stream API is <see cref="UnixSocket.Bind"/>).
/// Disposing it closes the listener and deletes the socket file it created.
/// </summary>
internal sealed class UnixSocketListener : IDisposable
{
    private readonly Socket _socket;
    private int _disposed;

    private UnixSocketListener(string path, Socket socket)
    {
        Path = path;
        _socket = socket;
    }

    /// <summary>The socket file's path.</summary>
    public string Path { get; }

    /// <summary>
    /// Binds <paramref name="path"/> with the checks of <see cref="UnixSocket.Bind"/> (length,
    /// directory, live listener, stale file), gives the file <paramref name="mode"/> and listens
    /// with a backlog of <paramref name="backlog"/>.
    /// </summary>
    /// <exception cref="UnixSocketBindException">The path cannot be bound, and why.</exception>
    public static async Task<UnixSocketListener> BindAsync(string path, int backlog, UnixFileMode mode)
    {
        await UnixSocketPath.PrepareAsync(path).ConfigureAwait(false);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new UnixSocketBindException(path, $"Could not bind socket path '{path}': {e.Message} ({e.SocketErrorCode})", e);
        }

        // From here on the file is ours to delete, even if listening fails.
        var listener = new UnixSocketListener(path, socket);
        try
        {
            // Before listen(): until then a connect is refused, so nobody gets in under the umask's mode.
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, mode);
            socket.Listen(backlog);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            listener.Dispose();
            throw new UnixSocketBindException(path, $"Could not listen on socket path '{path}': {e.Message}", e);
        }

        return listener;
    }

    /// <summary>The next connected peer. Fails with <see cref="ObjectDisposedException"/> once disposed.</summary>
    public ValueTask<Socket> AcceptAsync() => _socket.AcceptAsync(CancellationToken.None);

    /// <summary>Stops listening and deletes the socket file. Connections already accepted live on.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _socket.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind, it is a stale file: the next gateway on this path replaces it.
        }
    }
}
