namespace Bro.Transport;

/// <summary>
/// Fails the binding task of <see cref="UnixSocket.Bind"/> when a Unix socket path cannot be
/// listened on: the path is too long, its directory is missing, a live listener already owns
/// it, or the operating system refused the bind.
/// </summary>
public sealed class UnixSocketBindException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    /// <param name="path">The socket path that could not be bound.</param>
    /// <param name="message">What went wrong, with the numbers involved.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    internal UnixSocketBindException(string path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>The socket path that could not be bound.</summary>
    public string Path { get; }
}
