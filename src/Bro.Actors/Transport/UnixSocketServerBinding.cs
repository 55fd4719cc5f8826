namespace Bro.Transport;

/// <summary>
/// The materialized value of a <see cref="UnixSocket.Bind"/> source once its socket listens.
/// </summary>
internal sealed class UnixSocketServerBinding
{
    private readonly Func<Task> _unbind;

    internal UnixSocketServerBinding(string path, Func<Task> unbind)
    {
        Path = path;
        _unbind = unbind;
    }

    /// <summary>The socket path the listener is bound to.</summary>
    public string Path { get; }

    /// <summary>
    /// Stops accepting, completes the connection source, closes the listener and deletes the
    /// socket file. Connections already accepted are not affected. Safe to call more than once
    /// and after the source stopped on its own.
    /// </summary>
    /// <returns>A task completing once the listener is closed and the file deleted.</returns>
    public Task UnbindAsync() => _unbind();
}
