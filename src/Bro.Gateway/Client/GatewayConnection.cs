using System.Buffers.Binary;
using System.Net.Sockets;
using Bro.Codecs;
using Bro.Protocol;

namespace Bro.Gateway.Client;

/// <summary>
/// The console's connection to a gateway: a bare Unix socket speaking JSON frames, registered
/// as a service without methods so that it may CALL (a gateway answers only registered callers).
/// No actor system is started: a subcommand connects, calls and exits in milliseconds, and
/// prints nothing it did not mean to.
/// </summary>
/// <remarks>
/// One call at a time: <see cref="CallAsync"/> writes a CALL and reads frames until the RESPONSE
/// with its id, so the connection needs no table of pending calls. Every wait is bounded by the
/// caller's cancellation token.
/// </remarks>
internal sealed class GatewayConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly string _path;

    private GatewayConnection(Socket socket, string path, string serviceName)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _path = path;
        ServiceName = serviceName;
    }

    /// <summary>What the name of every CLI connection starts with; the PID follows.</summary>
    public const string NamePrefix = "bro-cli-";

    /// <summary>The name this connection registered under (<c>bro-cli-PID</c>).</summary>
    public string ServiceName { get; }

    /// <summary>Connects to the gateway at <paramref name="path"/> and registers.</summary>
    /// <exception cref="CommandFailedException">No gateway listens there, it refused the
    /// registration, or it did not answer before <paramref name="cancellationToken"/>.</exception>
    public static async Task<GatewayConnection> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
        }
        catch (Exception e) when (e is SocketException or IOException or ArgumentException)
        {
            socket.Dispose();
            var reason = File.Exists(path) || Directory.Exists(path) ? e.Message : "no such socket";
            throw new CommandFailedException($"cannot reach the gateway at {path}: {reason} (is `bro serve` running?)");
        }
        catch (OperationCanceledException)
        {
            socket.Dispose();
            throw new CommandFailedException($"the gateway at {path} did not accept the connection in time");
        }

        var connection = new GatewayConnection(socket, path, $"{NamePrefix}{Environment.ProcessId}");
        try
        {
            await connection.WriteAsync(new RegisterMessage(connection.ServiceName, [], null), cancellationToken);
            switch (await connection.ReadAsync(cancellationToken))
            {
                case RegisterAckMessage:
                    return connection;
                case ErrorMessage error:
                    throw new CommandFailedException(
                        $"the gateway at {path} refused the console: {error.Error.Code ?? "ERROR"}: {error.Error.Message}");
                case var other:
                    throw new CommandFailedException($"the gateway at {path} answered REGISTER with {other.Type}");
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Calls <paramref name="method"/> of <paramref name="service"/> and returns its RESPONSE,
    /// success or error. The CALL's deadline is <paramref name="timeout"/> from now.
    /// </summary>
    /// <exception cref="CommandFailedException">The connection was lost, or no RESPONSE came in time.</exception>
    public async Task<ResponseMessage> CallAsync(string service, string method, RawValue? parameters, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The gateway answers DEADLINE_EXCEEDED at the deadline: a little longer lets that answer arrive.
        deadline.CancelAfter(timeout + TimeSpan.FromSeconds(1));
        var call = Messages.BuildCall(ServiceName, service, method, parameters, CallContexts.Create(ServiceName, timeout));
        try
        {
            await WriteAsync(call, deadline.Token);
            while (true)
            {
                // A HEARTBEAT or an ERROR about nothing of ours may come first; anything else is read past.
                if (await ReadAsync(deadline.Token) is ResponseMessage response && response.Id == call.Id)
                    return response;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CommandFailedException(
                $"no answer from {service}.{method} within {timeout.TotalSeconds:0.###} s (gateway at {_path})");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();

    private async Task WriteAsync(BroMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(Frames.Serialize(message, BroEncoding.Json), cancellationToken);
        }
        catch (IOException e)
        {
            throw Lost(e);
        }
    }

    private async Task<BroMessage> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var prefix = new byte[4];
            await _stream.ReadExactlyAsync(prefix, cancellationToken);
            var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(prefix)];
            await _stream.ReadExactlyAsync(payload, cancellationToken);
            return MessageCodecs.Json.Decode(payload);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or BroException)
        {
            throw Lost(e);
        }
    }

    private CommandFailedException Lost(Exception e) =>
        new($"lost the connection to the gateway at {_path}: {(e is EndOfStreamException ? "it closed the connection" : e.Message)}");
}
