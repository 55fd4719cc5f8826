namespace Bro.Bench.Grpc;

/// <summary>The limits both ends of the gRPC target share.</summary>
internal static class GrpcLimits
{
    /// <summary>Largest message either side sends or accepts: 16 MiB, as Bro's max-frame-size (gRPC's default is 4 MiB).</summary>
    public const int MaxMessageSize = 16 * 1024 * 1024;

    /// <summary>Concurrent streams on one HTTP/2 connection: 1,000, the pipelined shape's calls in flight.</summary>
    public const int MaxStreamsPerConnection = 1_000;
}
