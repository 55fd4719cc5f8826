using Akka.Streams;
using Xunit.Abstractions;

namespace Bro.Actors.Tests.Transport;

/// <summary>
/// What every socket spec needs: an actor system with a materializer, a fresh directory for
/// socket files (deleted afterwards) and one timeout for every wait.
/// </summary>
public abstract class SocketSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    /// <summary>How long any single await in a socket spec may take.</summary>
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    protected SocketSpec(ITestOutputHelper output) : base(output: output)
    {
        Materializer = Sys.Materializer();
    }

    protected IMaterializer Materializer { get; }

    private protected SocketDirectory Sockets { get; } = new();

    void IDisposable.Dispose()
    {
        Dispose();
        Sockets.Dispose();
    }
}
