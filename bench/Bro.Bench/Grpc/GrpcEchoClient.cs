using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Net.Client;

namespace Bro.Bench.Grpc;

/// <summary>
/// The client side of the gRPC target: a <see cref="GrpcChannel"/> whose
/// <see cref="SocketsHttpHandler"/> connects to the server's Unix socket (h2c, one HTTP/2
/// connection), and the echo call the comparison times.
/// </summary>
internal sealed class GrpcEchoClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Echoer.EchoerClient _client;

    public GrpcEchoClient(string socket)
    {
        // As in Microsoft's "Inter-process communication with gRPC and Unix domain sockets", plus
        // the multiple-connections switch its performance guide asks of a handler of one's own.
        // The server allows 1,000 streams per connection, so one HTTP/2 connection carries every call.
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await unix.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken);
                    return new NetworkStream(unix, ownsSocket: true);
                }
                catch
                {
                    unix.Dispose();
                    throw;
                }
            },
        };
        // "http" with the channel's HTTP/2 request version: prior-knowledge HTTP/2 without TLS (h2c).
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = GrpcLimits.MaxMessageSize,
            MaxSendMessageSize = GrpcLimits.MaxMessageSize,
        });
        _client = new Echoer.EchoerClient(_channel);
    }

    /// <summary>
    /// Opens the HTTP/2 connection now, so the first timed call does not: with one empty echo, as
    /// <see cref="GrpcChannel.ConnectAsync"/> refuses a handler with a <c>ConnectCallback</c>.
    /// </summary>
    public Task ConnectAsync() => EchoAsync(ByteString.Empty);

    /// <summary>One unary echo of <paramref name="payload"/>; throws unless the same number of bytes comes back.</summary>
    public async Task EchoAsync(ByteString payload)
    {
        var reply = await _client.EchoAsync(new EchoMessage { Payload = payload });
        if (reply.Payload.Length != payload.Length)
            throw new InvalidOperationException($"echo returned {reply.Payload.Length} bytes, sent {payload.Length}");
    }

    public void Dispose() => _channel.Dispose();
}
