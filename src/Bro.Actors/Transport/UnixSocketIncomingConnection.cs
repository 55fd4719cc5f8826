using Akka;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Bro.Transport;

/// <summary>
/// A connection accepted by a <see cref="UnixSocket.Bind"/> source. The accepted socket is
/// owned by <see cref="Flow"/>: it is read and written once that flow is materialized, and
/// disposed when the flow terminates. A connection whose flow is never materialized keeps its
/// socket open until the socket is garbage-collected, so every emitted connection should be
/// handled or explicitly run with an empty source and a cancelled sink.
/// </summary>
internal sealed class UnixSocketIncomingConnection
{
    internal UnixSocketIncomingConnection(string path, Flow<ByteString, ByteString, NotUsed> flow)
    {
        Path = path;
        Flow = flow;
    }

    /// <summary>The socket path of the listener that accepted this connection.</summary>
    public string Path { get; }

    /// <summary>
    /// The connection's bytes: what is pushed in is written to the peer, what the peer writes
    /// comes out. Materialize it exactly once (a second materialization fails at once); when
    /// its input completes, the socket's send direction is shut down (half-close) while reading
    /// continues until the peer closes.
    /// </summary>
    public Flow<ByteString, ByteString, NotUsed> Flow { get; }

    /// <summary>Joins <paramref name="handler"/> onto <see cref="Flow"/> and runs it.</summary>
    /// <typeparam name="TMat">The handler's materialized value.</typeparam>
    /// <param name="handler">Turns the peer's bytes into the bytes written back to it.</param>
    /// <param name="materializer">Runs the joined graph.</param>
    /// <returns>The handler's materialized value.</returns>
    public TMat HandleWith<TMat>(Flow<ByteString, ByteString, TMat> handler, IMaterializer materializer) =>
        Flow.JoinMaterialized(handler, Keep.Right).Run(materializer);
}
