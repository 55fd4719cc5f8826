namespace Bro.Actors.Tests.Transport;

/// <summary>
/// A fresh directory for a test's socket files, short enough to stay far below the 107-byte
/// socket path limit, deleted with everything left in it on dispose.
/// </summary>
internal sealed class SocketDirectory : IDisposable
{
    public SocketDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "bro-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string File(string name) => Path.Combine(Root, name);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
