using Bro.Bench.Compare;
using Google.Protobuf;

namespace Bro.Bench.Grpc;

/// <summary>
/// gRPC as the comparison runs it: a <see cref="GrpcEchoClient"/> in the driver process calling
/// the <c>grpc-server</c> role (Kestrel, h2c over a Unix socket) in its own process. The payload
/// is N protobuf <c>bytes</c>.
/// </summary>
internal sealed class GrpcEchoTarget : IEchoTarget
{
    private readonly ChildProcess _server;
    private readonly GrpcEchoClient _client;

    private GrpcEchoTarget(ChildProcess server, GrpcEchoClient client)
    {
        _server = server;
        _client = client;
    }

    public string Name => "grpc";

    public int ClientPid => Environment.ProcessId;

    public int? GatewayPid => null;

    public int ServerPid => _server.Id;

    public static async Task<GrpcEchoTarget> StartAsync(string dir)
    {
        var socket = Path.Combine(dir, "cmp-grpc.sock");
        var server = ChildProcess.StartRole("grpc-server", "--socket", socket);
        GrpcEchoClient? client = null;
        try
        {
            await server.ReadyAsync();
            client = new GrpcEchoClient(socket);
            await client.ConnectAsync();
            return new GrpcEchoTarget(server, client);
        }
        catch
        {
            client?.Dispose();
            await server.DisposeAsync();
            throw;
        }
    }

    public Func<Task> Echo(int payloadBytes)
    {
        // Wrapped, not copied: the same immutable bytes go out on every call, as Bro's one string does.
        var bytes = new byte[payloadBytes];
        Array.Fill(bytes, (byte)'x');
        var payload = UnsafeByteOperations.UnsafeWrap(bytes);
        return () => _client.EchoAsync(payload);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }
}
