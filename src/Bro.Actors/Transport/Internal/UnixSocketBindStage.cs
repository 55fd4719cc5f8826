using System.Net.Sockets;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;

namespace Bro.Transport.Internal;

/// <summary>
/// Listens on a Unix socket path and emits one <see cref="UnixSocketIncomingConnection"/> per
/// accepted connection, accepting only while downstream has demand (unaccepted peers wait in
/// the listen backlog). Materializes the binding, which fails when the path cannot be bound.
/// Stopping the stage (unbind, cancellation, failure, shutdown) closes the listener and
/// deletes the socket file it created.
/// </summary>
internal sealed class UnixSocketBindStage
    : GraphStageWithMaterializedValue<SourceShape<UnixSocketIncomingConnection>, Task<UnixSocketServerBinding>>
{
    private readonly string _path;
    private readonly int _backlog;

    public UnixSocketBindStage(string path, int backlog)
    {
        _path = path;
        _backlog = backlog;
        Shape = new SourceShape<UnixSocketIncomingConnection>(Out);
    }

    public Outlet<UnixSocketIncomingConnection> Out { get; } = new("UnixSocketBind.out");

    public override SourceShape<UnixSocketIncomingConnection> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("UnixSocketBind");

    public override ILogicAndMaterializedValue<Task<UnixSocketServerBinding>> CreateLogicAndMaterializedValue(
        Attributes inheritedAttributes)
    {
        var bound = new TaskCompletionSource<UnixSocketServerBinding>(TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task<UnixSocketServerBinding>>(new Logic(this, bound), bound.Task);
    }

    private sealed class Logic : GraphStageLogic
    {
        private readonly UnixSocketBindStage _stage;
        private readonly TaskCompletionSource<UnixSocketServerBinding> _bound;
        private readonly TaskCompletionSource _unbound = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Socket? _listener;
        private bool _ownsFile;
        private Task<Socket>? _accepting;
        private Action<Task> _onPrepared = null!;
        private Action<Task<Socket>> _onAccepted = null!;
        private Action _onUnbind = null!;

        public Logic(UnixSocketBindStage stage, TaskCompletionSource<UnixSocketServerBinding> bound) : base(stage.Shape)
        {
            _stage = stage;
            _bound = bound;
            SetHandler(stage.Out, onPull: () =>
            {
                if (_listener is not null) Accept();
            });
        }

        public override void PreStart()
        {
            _onPrepared = GetAsyncCallback<Task>(OnPrepared);
            _onAccepted = GetAsyncCallback<Task<Socket>>(OnAccepted);
            _onUnbind = GetAsyncCallback(CompleteStage);
            UnixSocketPath.PrepareAsync(_stage._path).ContinueOnStage(_onPrepared);
        }

        public override void PostStop()
        {
            _listener?.Dispose();

            // An accept still pending when the stage stopped reports to a dropped callback;
            // a socket it still yields belongs to nobody and is closed here.
            _accepting?.ContinueWith(static accepting =>
                {
                    if (accepting.IsCompletedSuccessfully) accepting.Result.Dispose();
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

            var path = _stage._path;
            _bound.TrySetException(new UnixSocketBindException(path,
                $"The listener for socket path '{path}' stopped before it was bound"));

            if (!_ownsFile)
            {
                _unbound.TrySetResult();
                return;
            }

            try
            {
                File.Delete(path);
                _unbound.TrySetResult();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _unbound.TrySetException(e);
            }
        }

        private void OnPrepared(Task preparing)
        {
            if (preparing.IsCompletedSuccessfully)
                Listen();
            else
                Fail(preparing.Failure());
        }

        private void Listen()
        {
            var path = _stage._path;
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener = listener;
            try
            {
                listener.Bind(new UnixDomainSocketEndPoint(path));
                // From here on the file is ours to delete, even if Listen fails.
                _ownsFile = true;
                listener.Listen(_stage._backlog);
            }
            catch (SocketException e)
            {
                Fail(new UnixSocketBindException(path,
                    $"Could not listen on socket path '{path}': {e.Message} ({e.SocketErrorCode})", e));
                return;
            }

            _bound.TrySetResult(new UnixSocketServerBinding(path, Unbind));
            if (IsAvailable(_stage.Out)) Accept();
        }

        // Called from any thread by the binding: the stage stops on its own turn, and the task
        // completes in PostStop, after the listener closed and the file is gone. Once the stage
        // stopped, the callback is dropped and the already completed task is returned.
        private Task Unbind()
        {
            _onUnbind();
            return _unbound.Task;
        }

        private void Accept()
        {
            var accepting = _listener!.AcceptAsync();
            _accepting = accepting;
            accepting.ContinueOnStage(_onAccepted);
        }

        private void OnAccepted(Task<Socket> accepting)
        {
            _accepting = null;
            if (!accepting.IsCompletedSuccessfully)
            {
                Fail(accepting.Failure());
                return;
            }

            var path = _stage._path;
            var flow = Flow.FromGraph(UnixSocketConnectionStage.Accepted(accepting.Result, path))
                .MapMaterializedValue(_ => NotUsed.Instance);
            Push(_stage.Out, new UnixSocketIncomingConnection(path, flow));
        }

        private void Fail(Exception cause)
        {
            _bound.TrySetException(cause);
            FailStage(cause);
        }
    }
}
