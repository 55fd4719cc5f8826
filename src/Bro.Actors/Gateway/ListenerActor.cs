using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Bro.Configuration;
using Bro.Connection;
using Bro.Transport;

namespace Bro.Gateway;

/// <summary>
/// Listens on the gateway's Unix socket and starts one <see cref="ConnectionActor"/> per
/// accepted peer, as its child. Stopping the listener unbinds (the socket file is deleted) and
/// stops every connection with it.
/// </summary>
/// <remarks>
/// Accepted connections arrive through <c>Sink.ActorRefWithAck</c>: the next peer is accepted
/// only after the previous one has its actor, so a burst of connects waits in the listen
/// backlog instead of in memory.
/// </remarks>
public sealed class ListenerActor : ReceiveActor
{
    /// <summary>Asks for the binding; answered with <see cref="Bound"/> or <see cref="Status.Failure"/>.</summary>
    public sealed record GetBinding
    {
        /// <summary>The single instance.</summary>
        public static GetBinding Instance { get; } = new();
        private GetBinding() { }
    }

    /// <summary>The listener is bound and accepting.</summary>
    /// <param name="Binding">The server binding.</param>
    public sealed record Bound(UnixSocketServerBinding Binding);

    private sealed record AcceptInit
    {
        public static AcceptInit Instance { get; } = new();
    }

    private sealed record AcceptAck
    {
        public static AcceptAck Instance { get; } = new();
    }

    private sealed record AcceptCompleted
    {
        public static AcceptCompleted Instance { get; } = new();
    }

    private sealed record AcceptFailed(Exception Cause);

    private readonly GatewaySettings _settings;
    private readonly IActorRef _registry;
    private readonly IActorRef _router;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _waiting = [];
    private object? _binding;
    private long _accepted;

    /// <summary>Creates the listener; use <see cref="Props"/>.</summary>
    public ListenerActor(GatewaySettings settings, IActorRef registry, IActorRef router)
    {
        _settings = settings;
        _registry = registry;
        _router = router;

        Receive<Bound>(bound => Answer(bound));
        Receive<Status.Failure>(failure => Fail(failure.Cause));
        Receive<GetBinding>(_ =>
        {
            if (_binding is null) _waiting.Add(Sender);
            else Sender.Tell(_binding);
        });
        Receive<AcceptInit>(_ => Sender.Tell(AcceptAck.Instance));
        Receive<UnixSocketIncomingConnection>(connection =>
        {
            Context.ActorOf(
                ConnectionActor.Props(_settings, _registry, _router, connection.Flow),
                "connection-" + ++_accepted);
            Sender.Tell(AcceptAck.Instance);
        });
        Receive<AcceptCompleted>(_ => Context.Stop(Self));
        // A bind failure reaches this actor twice, as the stream's failure and as the binding
        // task's; whichever comes first answers the waiters.
        Receive<AcceptFailed>(failed => Fail(failed.Cause));
    }

    /// <summary>Props for the listener.</summary>
    /// <param name="settings">Gateway settings: the socket path and what connections need.</param>
    /// <param name="registry">The registry actor, handed to every connection.</param>
    /// <param name="router">The router actor, handed to every connection.</param>
    public static Props Props(GatewaySettings settings, IActorRef registry, IActorRef router) =>
        Akka.Actor.Props.Create(() => new ListenerActor(settings, registry, router));

    /// <inheritdoc />
    protected override void PreStart()
    {
        // The materializer is this actor's own: stopping the listener cancels the bind source,
        // which closes the listening socket and deletes its file.
        UnixSocket.Bind(_settings.SocketPath)
            .ToMaterialized(
                Sink.ActorRefWithAck<UnixSocketIncomingConnection>(
                    Self, AcceptInit.Instance, AcceptAck.Instance, AcceptCompleted.Instance, ex => new AcceptFailed(ex)),
                Keep.Left)
            .Run(Context.Materializer())
            .PipeTo(Self, success: binding => new Bound(binding));
    }

    private void Fail(Exception cause)
    {
        if (_binding is null)
            Answer(new Status.Failure(cause));
        else
            _log.Error(cause, "Listener on {0} failed", _settings.SocketPath);
        Context.Stop(Self);
    }

    private void Answer(object result)
    {
        _binding = result;
        foreach (var waiter in _waiting)
            waiter.Tell(result);
        _waiting.Clear();
    }
}
