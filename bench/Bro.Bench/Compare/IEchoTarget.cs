namespace Bro.Bench.Compare;

/// <summary>
/// One side of the comparison, its processes started and its client connected: something that
/// echoes a payload of a given size, and the processes whose CPU time the comparison charges
/// to it (the caller's, a gateway's if it has one, and the serving process's).
/// </summary>
internal interface IEchoTarget : IAsyncDisposable
{
    /// <summary>bro-json, bro-msgpack or grpc.</summary>
    string Name { get; }

    /// <summary>The calling process (the driver itself, where the timed calls start).</summary>
    int ClientPid { get; }

    /// <summary>The process between caller and server; <c>null</c> when calls go direct (gRPC).</summary>
    int? GatewayPid { get; }

    /// <summary>The process that answers the echo.</summary>
    int ServerPid { get; }

    /// <summary>A call echoing <paramref name="payloadBytes"/> bytes that fails unless as many come back; the payload is built once, here.</summary>
    Func<Task> Echo(int payloadBytes);
}
