using System.Net.Security;
using Akka.Actor;
using Akka.Event;
using Bro.Configuration;
using Bro.Connection;
using Bro.Protocol;
using Bro.Routing;
using Bro.Transport;

namespace Bro.Federation;

/// <summary>
/// Another gateway of the cluster, as this gateway's data plane sees it: one endpoint per
/// (gateway, encoding). It is the target of the CALLs this gateway routes to services served
/// there, and the caller of the CALLs that gateway routes to services served here, so the
/// router's rules (in-flight tables, deadlines, id rewriting, transcoding, flow control,
/// CONNECTION_LOST) hold across hosts unchanged.
/// </summary>
/// <remarks>
/// <para><b>The link.</b> Frames travel on two TCP connections, one per direction: this
/// gateway writes on the one it opened to the other's data port (<see cref="Connect"/>, with
/// the token the other offered it), and reads, on <see cref="PeerLinkReader"/>'s loop, the
/// one the other opened to it (<see cref="AttachInbound"/>). Writes go through an
/// <see cref="OutboundBuffer"/> exactly as a service connection's do (gathered until the
/// connection is up), and what is read is routed on the reading thread: no actor and no thread
/// hop on the way, as on a single host.</para>
/// <para>The two gateways' endpoints for each other form a pair: A's endpoint for B gives each
/// CALL an id no other call in flight to B has (<see cref="CallEndpoint.AddIncoming"/>), and
/// B's endpoint for A keys its outgoing table by exactly those ids, so ids chosen by callers on
/// different gateways never collide.</para>
/// <para><b>Breaking.</b> Either connection failing or closing, a write past the outbound
/// limit, or a stalled peer breaks the whole endpoint once (<c>broken</c>): the federation
/// actor then answers its calls in flight CONNECTION_LOST and opens a new one later.</para>
/// </remarks>
internal sealed class PeerEndpoint : CallEndpoint
{
    private readonly GatewaySettings _settings;
    private readonly CallRouter _router;
    private readonly ILoggingAdapter _log;
    private readonly Action<PeerEndpoint, string> _broken;
    private readonly OutboundBuffer _outbound;
    private readonly CancellationTokenSource _closing = new();
    private readonly object _gate = new();
    private LinkTransport? _out;
    private LinkTransport? _in;
    private PeerLinkReader? _reader;
    private bool _connecting;
    private bool _closed;
    private int _brokenOnce;

    /// <param name="gateway">The other gateway's address.</param>
    /// <param name="encoding">The encoding of every frame sent and received through this endpoint.</param>
    /// <param name="settings">The outbound limit, congestion timeout and max frame size, as for a service's connection.</param>
    /// <param name="router">Routes what the other gateway sends.</param>
    /// <param name="log">Where the link logs.</param>
    /// <param name="broken">Called once, from any thread, when the link breaks, with why.</param>
    public PeerEndpoint(Address gateway, BroEncoding encoding, GatewaySettings settings, CallRouter router, ILoggingAdapter log,
        Action<PeerEndpoint, string> broken)
    {
        Gateway = gateway;
        _settings = settings;
        _router = router;
        _log = log;
        _broken = broken;
        AbandonedIdsKept = settings.AbandonedIdsKept;
        SetEncoding(encoding);
        _outbound = new OutboundBuffer(settings.OutboundQueueLimit, e => Break($"writing failed: {e.Message}"),
            (long)settings.CongestionTimeout.TotalMilliseconds);
        // Another Bro gateway understands CANCEL and passes it on to its service if that one does.
        UnderstandsCancel = true;
    }

    /// <summary>The other gateway's address.</summary>
    public Address Gateway { get; }

    /// <summary>Whether <see cref="Connect"/> was called: the outgoing connection is up or on its way.</summary>
    public bool IsConnecting
    {
        get
        {
            lock (_gate) return _connecting;
        }
    }

    /// <inheritdoc />
    public override bool Write(ReadOnlySpan<byte> frame) => Written(_outbound.Append(frame, default));

    /// <inheritdoc />
    public override bool WritePayload(ReadOnlySpan<byte> payload)
    {
        Span<byte> prefix = stackalloc byte[BroFraming.HeaderSize];
        WritePrefix(prefix, payload.Length);
        return Written(_outbound.Append(prefix, payload));
    }

    /// <inheritdoc />
    public override void Flush() => _outbound.Flush();

    /// <inheritdoc />
    public override long BytesReceived => _reader?.BytesReceived ?? 0;

    /// <inheritdoc />
    public override long BytesSent => _outbound.BytesSent;

    /// <inheritdoc />
    public override Task? WhenWritable(bool patient) => _outbound.WhenWritable(patient);

    /// <inheritdoc />
    public override bool IsCongested => _outbound.IsCongested;

    /// <inheritdoc />
    public override void CheckWriteProgress(long timeoutMs)
    {
        if (_outbound.IsStalled(Environment.TickCount64, timeoutMs))
            Break($"read nothing for {timeoutMs} ms with {_outbound.QueuedBytes} bytes queued");
    }

    /// <inheritdoc />
    public override void ResumeReading()
    {
        // Never registers: nothing waits to be resumed.
    }

    /// <summary>
    /// Opens the outgoing connection to <paramref name="offer"/>'s data port (TLS when
    /// <paramref name="tls"/> is given), sends the hello, then what was written meanwhile. Once only.
    /// </summary>
    public void Connect(DataLinkOffer offer, SslClientAuthenticationOptions? tls)
    {
        lock (_gate)
        {
            if (_connecting || _closed)
                return;
            _connecting = true;
        }

        _ = ConnectAsync(offer, tls);
    }

    /// <summary>Takes the connection the other gateway opened to this one and reads it; false (the caller closes it) when there is one already.</summary>
    /// <param name="transport">The connection, past its hello.</param>
    /// <param name="maxFrameSize">The largest frame the other gateway said it may send.</param>
    public bool AttachInbound(LinkTransport transport, int maxFrameSize)
    {
        lock (_gate)
        {
            if (_closed || _in is not null)
                return false;
            _in = transport;
            _reader = new PeerLinkReader(transport, this, Math.Max(_settings.MaxFrameSize, maxFrameSize), _settings, _router, _log);
        }

        _ = ReadAsync(_reader);
        return true;
    }

    /// <summary>Closes both connections; what was queued is dropped. Idempotent; does not call <c>broken</c>.</summary>
    public void Close()
    {
        LinkTransport? outgoing, incoming;
        lock (_gate)
        {
            if (_closed)
                return;
            _closed = true;
            outgoing = _out;
            incoming = _in;
        }

        Interlocked.Exchange(ref _brokenOnce, 1);
        _closing.Cancel();
        _outbound.Close();
        outgoing?.Dispose();
        incoming?.Dispose();
    }

    private async Task ConnectAsync(DataLinkOffer offer, SslClientAuthenticationOptions? tls)
    {
        LinkTransport transport;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
            timeout.CancelAfter(_settings.Cluster?.HandshakeTimeout ?? FederationSettings.DefaultHandshakeTimeout);
            transport = await LinkTransport.ConnectAsync(offer.Host, offer.Port, tls, timeout.Token).ConfigureAwait(false);
            await transport.SendAsync(DataLinkHello.Write(Encoding, _settings.MaxFrameSize, offer.Token), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Break($"cannot open a data link to {offer.Host}:{offer.Port}: {(e is OperationCanceledException ? "timed out" : e.Message)}");
            return;
        }

        lock (_gate)
        {
            if (_closed)
            {
                transport.Dispose();
                return;
            }

            _out = transport;
        }

        _outbound.Start(transport.Socket, transport.Tls);
        // The other gateway never writes on this connection: a read ends only when it closes
        // the link (or dies), which breaks this side at once instead of at the next write.
        try
        {
            var read = await transport.ReceiveAsync(new byte[1]).ConfigureAwait(false);
            Break(read == 0 ? "the other gateway closed the link" : "the other gateway wrote on a send-only link");
        }
        catch (Exception e)
        {
            Break($"the outgoing connection failed: {e.Message}");
        }
    }

    private async Task ReadAsync(PeerLinkReader reader)
    {
        var why = await reader.RunAsync().ConfigureAwait(false);
        Break(why);
    }

    private bool Written(WriteOutcome outcome)
    {
        if (outcome == WriteOutcome.Overflow)
            Break($"over {_settings.OutboundQueueLimit} bytes queued");
        return outcome == WriteOutcome.Queued;
    }

    private void Break(string why)
    {
        if (Interlocked.Exchange(ref _brokenOnce, 1) != 0)
            return;
        _broken(this, why);
    }
}
