using Akka.Actor;
using Akka.Event;
using Bro.Events;

namespace Bro.Events.Internal;

/// <summary>
/// Carries the gateway's events (and, when asked, the actor system's log) from the event
/// stream to the facade's .NET events. A user's handler runs on this actor, one event at a
/// time, in publication order; an exception in it is logged and does not stop the actor.
/// </summary>
internal sealed class EventForwarderActor : ReceiveActor
{
    private readonly Action<object> _raise;
    private readonly bool _forwardLog;

    public EventForwarderActor(Action<object> raise, bool forwardLog)
    {
        _raise = raise;
        _forwardLog = forwardLog;
        Receive<GatewayEvent>(Raise);
        Receive<LogEvent>(Raise);
    }

    public static Props Props(Action<object> raise, bool forwardLog) =>
        Akka.Actor.Props.Create(() => new EventForwarderActor(raise, forwardLog));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(GatewayEvent));
        if (_forwardLog)
            Context.System.EventStream.Subscribe(Self, typeof(LogEvent));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Raise(object e)
    {
        try
        {
            _raise(e);
        }
        catch (Exception handlerFailure) when (e is not LogEvent)
        {
            // Logging a failed log handler would loop; other handlers' failures are reported.
            Context.GetLogger().Warning("A gateway event handler threw on {0}: {1}", e.GetType().Name, handlerFailure.Message);
        }
        catch (Exception)
        {
            // A log handler that throws loses that line, nothing more.
        }
    }
}
