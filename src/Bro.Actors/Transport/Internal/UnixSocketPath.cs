using System.Net.Sockets;

namespace Bro.Transport.Internal;

/// <summary>Readies a socket path for binding: the checks every listener makes first.</summary>
internal static class UnixSocketPath
{
    /// <summary>
    /// Completes when <paramref name="path"/> may be bound: it is short enough, its directory
    /// exists, nothing but a socket is there, and no live listener answers there (a stale socket
    /// file is deleted).
    /// </summary>
    /// <exception cref="UnixSocketBindException">The path cannot be bound, and why.</exception>
    public static async Task PrepareAsync(string path)
    {
        if (UnixSocket.CheckPath(path) is { } problem)
            throw new UnixSocketBindException(path, problem);
        if (!File.Exists(path))
            return;
        if (UnixFileKind.IsSocket(path) == false)
            throw new UnixSocketBindException(path, $"'{path}' exists and is not a socket: it is left alone, choose another path");

        // Something is already at the path. A connect tells a live listener (which must be left
        // alone) from a stale file left by a process that died without unlinking it.
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                await probe.ConnectAsync(new UnixDomainSocketEndPoint(path)).ConfigureAwait(false);
                throw new UnixSocketBindException(path, $"Socket path '{path}' is in use by a live listener");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // Refused: no process listens there any more.
            }
            catch (SocketException e)
            {
                throw new UnixSocketBindException(path,
                    $"Socket path '{path}' exists and could not be probed for a live listener: {e.Message}", e);
            }
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UnixSocketBindException(path,
                $"Socket path '{path}' holds a stale socket file that could not be deleted: {e.Message}", e);
        }
    }
}
