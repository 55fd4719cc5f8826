using System.Buffers;
using System.Net.Sockets;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Bro.Transport.Internal;

/// <summary>
/// The byte flow of one Unix socket connection: the inlet is written to the socket, the
/// socket's reads come out of the outlet. Either connects to a path when materialized
/// (outgoing) or takes over a socket a listener accepted (incoming).
/// </summary>
/// <remarks>
/// Backpressure in both directions: the socket is read only while downstream has demand,
/// and upstream is pulled only after the previous write completed. Async socket completions
/// re-enter the stage only through async callbacks. Upstream completion shuts down the send
/// direction (half-close) while reading goes on until the peer closes; the stage stops,
/// disposing the socket, once both directions are done, or at once on failure or
/// cancellation of the read side.
/// <para>Memory: an idle connection holds no buffer. It waits for bytes with a zero-byte
/// receive and only then reads into a pooled buffer, copies the bytes out and returns it; each
/// write likewise rents its send buffer only while the send is in flight. A gateway with many
/// idle services thus pays nothing per connection for buffers (128 KiB each when they were held).</para>
/// </remarks>
internal sealed class UnixSocketConnectionStage
    : GraphStageWithMaterializedValue<FlowShape<ByteString, ByteString>, Task<UnixSocketOutgoingConnection>>
{
    // Below the 85 000-byte large-object threshold: one read emits at most this many bytes,
    // one send takes at most this many.
    private const int ReadBufferSize = 64 * 1024;
    private const int SendBufferSize = 64 * 1024;

    private readonly string _path;
    private readonly bool _connect;

    // An accepted socket belongs to the first materialization only: two stages sharing one
    // socket would interleave their reads and writes.
    private Socket? _accepted;

    private UnixSocketConnectionStage(string path, Socket? accepted)
    {
        _path = path;
        _connect = accepted is null;
        _accepted = accepted;
        Shape = new FlowShape<ByteString, ByteString>(In, Out);
    }

    /// <summary>A stage connecting to <paramref name="path"/> when materialized.</summary>
    public static UnixSocketConnectionStage Connect(string path) => new(path, null);

    /// <summary>A stage owning <paramref name="socket"/>, accepted by the listener at <paramref name="path"/>.</summary>
    public static UnixSocketConnectionStage Accepted(Socket socket, string path) => new(path, socket);

    public Inlet<ByteString> In { get; } = new("UnixSocketConnection.in");

    public Outlet<ByteString> Out { get; } = new("UnixSocketConnection.out");

    public override FlowShape<ByteString, ByteString> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("UnixSocketConnection");

    public override ILogicAndMaterializedValue<Task<UnixSocketOutgoingConnection>> CreateLogicAndMaterializedValue(
        Attributes inheritedAttributes)
    {
        var connected = new TaskCompletionSource<UnixSocketOutgoingConnection>(
            TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task<UnixSocketOutgoingConnection>>(new Logic(this, connected), connected.Task);
    }

    private sealed class Logic : GraphStageLogic
    {
        private readonly UnixSocketConnectionStage _stage;
        private readonly TaskCompletionSource<UnixSocketOutgoingConnection> _connected;

        // A rented buffer is returned only once no socket operation can touch it any more: a
        // receive or send still pending when the stage stops may use it until the socket's
        // disposal aborts it, so such a buffer is left to the garbage collector instead.
        private byte[]? _readBuffer;
        private byte[]? _sendBuffer;

        private Socket? _socket;
        private bool _isConnected;
        private bool _writing;
        private bool _sendShutDown;
        private bool _readDone;
        private ByteString _pendingWrite = ByteString.Empty;
        private Action<Task> _onConnected = null!;
        private Action<Task<int>> _onRead = null!;
        private Action<Task<int>> _onDataAvailable = null!;
        private Action<Task<int>> _onWritten = null!;

        public Logic(UnixSocketConnectionStage stage, TaskCompletionSource<UnixSocketOutgoingConnection> connected)
            : base(stage.Shape)
        {
            _stage = stage;
            _connected = connected;

            SetHandler(stage.In,
                onPush: () =>
                {
                    _pendingWrite = Grab(stage.In);
                    Send();
                },
                // A write may still be in flight: the send direction is shut down once it drained.
                onUpstreamFinish: () =>
                {
                    if (_isConnected && !_writing) ShutdownSend();
                },
                onUpstreamFailure: Fail);

            SetHandler(stage.Out,
                onPull: () =>
                {
                    if (_isConnected) Receive();
                },
                // Nobody reads any more. The write side may still have something to say (a
                // gateway answers a frame it cannot read with an ERROR, then closes), so the
                // connection closes once writing is done too; until then nothing is read.
                onDownstreamFinish: _ =>
                {
                    _readDone = true;
                    if (_sendShutDown || IsClosed(_stage.In) && !_writing) CompleteStage();
                });
        }

        public override void PreStart()
        {
            // Both directions finish independently (half-close); the stage decides itself when
            // the connection is done instead of stopping when its ports happen to be closed,
            // which could drop a write still in flight.
            SetKeepGoing(true);
            _onConnected = GetAsyncCallback<Task>(OnConnectCompleted);
            _onRead = GetAsyncCallback<Task<int>>(OnReceiveCompleted);
            _onDataAvailable = GetAsyncCallback<Task<int>>(OnDataAvailable);
            _onWritten = GetAsyncCallback<Task<int>>(OnSendCompleted);

            if (!_stage._connect)
            {
                _socket = Interlocked.Exchange(ref _stage._accepted, null);
                if (_socket is null)
                    Fail(new InvalidOperationException(
                        $"The flow of a connection accepted at '{_stage._path}' can be materialized only once"));
                else
                    OnConnected();
                return;
            }

            _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            Task connecting;
            try
            {
                connecting = _socket.ConnectAsync(new UnixDomainSocketEndPoint(_stage._path));
            }
            catch (Exception e) when (e is ArgumentException or SocketException)
            {
                // The endpoint refuses a path that is too long before any I/O happens.
                connecting = Task.FromException(e);
            }
            connecting.ContinueOnStage(_onConnected);
        }

        public override void PostStop()
        {
            // Disposing aborts any pending connect, receive or send; their callbacks arrive
            // after the stage stopped and are dropped by Akka.
            _socket?.Dispose();
            _connected.TrySetException(new IOException(
                $"The connection to Unix socket '{_stage._path}' stopped before it was connected"));
        }

        private void OnConnectCompleted(Task connecting)
        {
            if (connecting.IsCompletedSuccessfully)
            {
                OnConnected();
                return;
            }

            var cause = connecting.Failure();
            Fail(new IOException($"Could not connect to Unix socket '{_stage._path}': {cause.Message}", cause));
        }

        private void OnConnected()
        {
            _isConnected = true;
            _connected.TrySetResult(new UnixSocketOutgoingConnection(_stage._path));

            // Demand and upstream completion may both have arrived while connecting.
            if (IsAvailable(_stage.Out)) Receive();
            if (IsClosed(_stage.In)) ShutdownSend();
            else Pull(_stage.In);
        }

        private void Receive()
        {
            // Bytes already queued in the kernel are read at once; otherwise a zero-byte receive
            // waits for them without holding a buffer (it also completes at end of stream).
            if (_socket!.Available > 0)
            {
                ReadAvailable();
                return;
            }

            var waiting = _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
            if (waiting.IsCompletedSuccessfully) ReadAvailable();
            else waiting.AsTask().ContinueOnStage(_onDataAvailable);
        }

        private void OnDataAvailable(Task<int> waiting)
        {
            if (waiting.IsCompletedSuccessfully) ReadAvailable();
            else Fail(waiting.Failure());
        }

        private void ReadAvailable()
        {
            _readBuffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
            var receiving = _socket!.ReceiveAsync(_readBuffer.AsMemory(0, ReadBufferSize), SocketFlags.None);
            if (receiving.IsCompletedSuccessfully)
                OnReceived(receiving.Result);
            else
                receiving.AsTask().ContinueOnStage(_onRead);
        }

        private void OnReceiveCompleted(Task<int> receiving)
        {
            if (receiving.IsCompletedSuccessfully) OnReceived(receiving.Result);
            else Fail(receiving.Failure());
        }

        private void OnReceived(int count)
        {
            // The bytes are copied out, so the buffer goes back to the pool before anything else.
            var buffer = _readBuffer!;
            _readBuffer = null;
            var received = count > 0 ? ByteString.CopyFrom(buffer, 0, count) : ByteString.Empty;
            ArrayPool<byte>.Shared.Return(buffer);

            // A receive that completes after downstream cancelled has nowhere to go.
            if (IsClosed(_stage.Out)) return;
            if (count > 0)
            {
                Push(_stage.Out, received);
                return;
            }

            // 0 bytes: the peer shut down its send direction or closed.
            _readDone = true;
            if (_sendShutDown) CompleteStage();
            else Complete(_stage.Out);
        }

        private void Send()
        {
            if (_pendingWrite.IsEmpty)
            {
                OnSent();
                return;
            }

            _writing = true;
            // Each chunk is copied once into a rented send buffer: a composite string (a batch
            // of prefixes and payloads) goes out in one send, a large one in chunks of at most
            // SendBufferSize bytes.
            var chunk = Math.Min(_pendingWrite.Count, SendBufferSize);
            _sendBuffer ??= ArrayPool<byte>.Shared.Rent(SendBufferSize);
            var memory = _sendBuffer.AsMemory(0, chunk);
            _pendingWrite.Slice(0, chunk).CopyTo(ref memory, 0, chunk);
            var sending = _socket!.SendAsync((ReadOnlyMemory<byte>)memory, SocketFlags.None);
            if (sending.IsCompletedSuccessfully) OnSent(sending.Result);
            else sending.AsTask().ContinueOnStage(_onWritten);
        }

        private void OnSendCompleted(Task<int> sending)
        {
            if (sending.IsCompletedSuccessfully) OnSent(sending.Result);
            else Fail(sending.Failure());
        }

        private void OnSent(int count)
        {
            // A stream socket's task-based send normally takes the whole chunk; whatever is
            // left (a short send or the next chunk) goes out before upstream is asked for more.
            _pendingWrite = _pendingWrite.Slice(count);
            if (_pendingWrite.IsEmpty) OnSent();
            else Send();
        }

        private void OnSent()
        {
            _writing = false;
            if (_sendBuffer is { } buffer)
            {
                _sendBuffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (IsClosed(_stage.In)) ShutdownSend();
            else Pull(_stage.In);
        }

        private void ShutdownSend()
        {
            _sendShutDown = true;
            _socket!.Shutdown(SocketShutdown.Send);
            if (_readDone) CompleteStage();
        }

        private void Fail(Exception cause)
        {
            _connected.TrySetException(cause);
            FailStage(cause);
        }
    }
}
