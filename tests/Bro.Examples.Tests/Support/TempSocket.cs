namespace Bro.Examples.Tests.Support;

/// <summary>A socket path in a fresh temp directory, deleted with whatever is left in it.</summary>
public sealed class TempSocket : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bro-").FullName;

    /// <summary>The socket path (the file does not exist until a gateway listens there).</summary>
    public string Path => System.IO.Path.Combine(_directory, "gateway.sock");

    /// <summary><c>BRO_SOCKET</c> = <see cref="Path"/>, to hand an example.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["BRO_SOCKET"] = Path };

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
