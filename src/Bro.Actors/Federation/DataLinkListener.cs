using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Akka.Event;

namespace Bro.Federation;

/// <summary>
/// The data port: bound when the gateway starts (a port in use fails the start, as the socket
/// path does), then, once <see cref="Start"/>ed, accepts the links other gateways open to this one, runs TLS (when the
/// cluster speaks it) and reads each link's hello, and hands the link on as an
/// <see cref="InboundLink"/>. Whose token it carries is for the <see cref="FederationActor"/> to judge.
/// </summary>
/// <remarks>
/// Anyone who can reach the port can connect, so what a stranger can make it hold is bounded:
/// at most <see cref="FederationSettings.MaxHandshakes"/> connections between accept and hello
/// (more are closed at once), each for <see cref="FederationSettings.HandshakeTimeout"/> at most; no frame is read before
/// the hello and its token check out.
/// </remarks>
internal sealed class DataLinkListener : IDisposable
{
    private readonly Socket _socket;
    private readonly int _maxHandshakes;
    private readonly TimeSpan _handshakeTimeout;
    private readonly CancellationTokenSource _stop = new();
    private SslServerAuthenticationOptions? _tls;
    private Action<InboundLink> _accepted = _ => { };
    private ILoggingAdapter _log = NoLogger.Instance;
    private int _pending;
    private int _started;

    /// <summary>Binds the data port of <paramref name="settings"/> (0: a free one) on its hostname; nothing is accepted before <see cref="Start"/>.</summary>
    /// <param name="settings">The hostname, data port, and the handshake's limits.</param>
    /// <exception cref="SocketException">The port cannot be bound (in use, say).</exception>
    public DataLinkListener(FederationSettings settings)
    {
        _maxHandshakes = settings.MaxHandshakes;
        _handshakeTimeout = settings.HandshakeTimeout;
        var (host, port) = (settings.Hostname, settings.DataPort);
        var address = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host)[0];
        _socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _socket.Bind(new IPEndPoint(address, port));
            _socket.Listen(128);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    /// <summary>The port bound.</summary>
    public int Port { get; }

    /// <summary>Starts accepting; called again (a restarted federation actor), only hands links to the new <paramref name="accepted"/>.</summary>
    /// <param name="tls">The TLS server options when the cluster speaks TLS, else <c>null</c>.</param>
    /// <param name="accepted">Called, on a pool thread, with each link whose hello was read.</param>
    /// <param name="log">Where refused connections are logged.</param>
    public void Start(SslServerAuthenticationOptions? tls, Action<InboundLink> accepted, ILoggingAdapter log)
    {
        _tls = tls;
        _accepted = accepted;
        _log = log;
        if (Interlocked.Exchange(ref _started, 1) == 0)
            _ = AcceptLoopAsync();
    }

    /// <summary>Stops accepting; links already handed on are not touched.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors, say: this connection is lost, the port stays open.
                _log.Warning("Data port: accept failed: {0}", e.Message);
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }

            if (Interlocked.Increment(ref _pending) > _maxHandshakes)
            {
                Interlocked.Decrement(ref _pending);
                _log.Warning("Data port: refused a connection from {0}: {1} connections are already in their handshake",
                    accepted.RemoteEndPoint, _maxHandshakes);
                accepted.Dispose();
                continue;
            }

            _ = HandshakeAsync(accepted);
        }
    }

    private async Task HandshakeAsync(Socket socket)
    {
        var from = socket.RemoteEndPoint;
        LinkTransport? transport = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(_handshakeTimeout);
            transport = await LinkTransport.AcceptAsync(socket, _tls, timeout.Token).ConfigureAwait(false);
            var hello = new byte[DataLinkHello.Size];
            if (!await transport.ReceiveExactlyAsync(hello, timeout.Token).ConfigureAwait(false))
                throw new IOException("closed before its hello");
            if (DataLinkHello.Read(hello, out var error) is not var (encoding, maxFrameSize, token))
                throw new IOException(error);
            _accepted(new InboundLink(transport, encoding, maxFrameSize, token));
            transport = null;
        }
        catch (Exception e)
        {
            // A stranger, a scanner, a certificate this gateway does not trust, or a peer gone mid-handshake.
            _log.Warning("Data port: refused a connection from {0}: {1}", from, e is OperationCanceledException ? $"no hello within {_handshakeTimeout}" : e.Message);
            transport?.Dispose();
            socket.Dispose();
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }
}
