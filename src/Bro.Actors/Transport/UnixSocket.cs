using System.Text;
using Akka;
using Akka.IO;
using Akka.Streams.Dsl;
using Bro.Transport.Internal;

namespace Bro.Transport;

/// <summary>
/// Unix domain socket connections for Akka.Streams, shaped like Akka's stream TCP API
/// (whose <c>Bind</c> and <c>OutgoingConnection</c> do not accept a Unix socket endpoint).
/// Sockets use asynchronous I/O only: no thread per connection, no blocking inside stages.
/// </summary>
internal static class UnixSocket
{
    /// <summary>The default length of the listen backlog: 128 pending connections.</summary>
    public const int DefaultBacklog = 128;

    /// <summary>
    /// The longest socket path the operating system accepts, in UTF-8 bytes: 107 on Linux,
    /// 103 on macOS and the BSDs (the size of <c>sun_path</c> less its terminating zero).
    /// </summary>
    public static int MaxPathBytes { get; } = OperatingSystem.IsLinux() ? 107 : 103;

    /// <summary>
    /// Listens on <paramref name="path"/> and emits one connection per accepted peer. A
    /// connection is accepted only when downstream asks for one; meanwhile peers wait in the
    /// listen backlog.
    /// </summary>
    /// <remarks>
    /// The materialized task completes once the socket listens, or fails with a
    /// <see cref="UnixSocketBindException"/> when the path is longer than
    /// <see cref="MaxPathBytes"/> (checked before the file system is touched), its directory
    /// does not exist, or a live listener answers there. A file at the path that no listener
    /// answers (left by a process that died) is deleted and replaced. Unbinding, cancelling the
    /// source or stopping the materializer closes the listener and deletes the socket file;
    /// accepted connections live on until their own flows finish.
    /// </remarks>
    /// <param name="path">The socket file's path.</param>
    /// <param name="backlog">The length of the listen backlog; default <see cref="DefaultBacklog"/>.</param>
    /// <returns>A source of accepted connections, materializing the binding.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="backlog"/> is less than 1.</exception>
    public static Source<UnixSocketIncomingConnection, Task<UnixSocketServerBinding>> Bind(
        string path, int backlog = DefaultBacklog)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(backlog, 1);
        return Source.FromGraph(new UnixSocketBindStage(path, backlog));
    }

    /// <summary>
    /// Connects to the listener at <paramref name="path"/> when materialized. What is pushed
    /// into the flow is written to the socket and what the listener writes comes out; the
    /// socket is read only on demand and upstream is pulled only after each write completed.
    /// </summary>
    /// <remarks>
    /// The materialized task completes once connected and fails (with an
    /// <see cref="IOException"/> naming the path) when the connect fails, for example when no
    /// file or no listener is there; the flow then fails too. Completing the flow's input
    /// shuts down the send direction only: output continues until the listener closes.
    /// Cancelling the output stops reading; the connection closes once the input has completed
    /// (or failed) too, so what is still being written gets out.
    /// </remarks>
    /// <param name="path">The socket file's path.</param>
    /// <returns>The connection's byte flow, materializing the connected connection.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static Flow<ByteString, ByteString, Task<UnixSocketOutgoingConnection>> OutgoingConnection(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Flow.FromGraph(UnixSocketConnectionStage.Connect(path));
    }

    /// <summary>Why <paramref name="path"/> cannot be bound, or null when it may be.</summary>
    internal static string? CheckPath(string path)
    {
        // Checked first, so that a path the OS would truncate or refuse never reaches the disk.
        var length = Encoding.UTF8.GetByteCount(path);
        if (length > MaxPathBytes)
            return $"Socket path '{path}' is {length} bytes long in UTF-8, over the limit of {MaxPathBytes} bytes";

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
            return $"The directory '{directory}' of socket path '{path}' does not exist";

        return null;
    }
}
