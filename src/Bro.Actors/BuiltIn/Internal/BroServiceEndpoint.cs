using Akka.Actor;
using Bro.Routing;
using Bro.Transport;

namespace Bro.BuiltIn.Internal;

/// <summary>
/// The built-in service as the data plane sees it: a service connection named <c>bro</c> whose
/// "socket" is the <see cref="BroServiceActor"/>. The router delivers CALLs to it like to any
/// target (in-flight tables, deadlines, id rewriting, transcoding, the policy all apply), and
/// the actor answers through <see cref="CallRouter.RouteResponse"/> as a peer's read loop would.
/// </summary>
/// <remarks>
/// Its encoding is JSON: a MessagePack caller's CALL reaches it transcoded, and its answer is
/// transcoded back. A frame delivered here is copied (the router's buffer is the caller's read
/// buffer) and handed to the actor; nothing is queued here, so <see cref="Flush"/> has nothing to do.
/// </remarks>
internal sealed class BroServiceEndpoint : CallEndpoint
{
    private readonly IActorRef _service;

    /// <param name="service">The actor answering the calls: it is sent a <see cref="BroServiceActor.Delivered"/> per CALL.</param>
    public BroServiceEndpoint(IActorRef service)
        : base(BroService.Name) => _service = service;

    /// <inheritdoc />
    public override bool IsBuiltIn => true;

    /// <inheritdoc />
    public override bool Write(ReadOnlySpan<byte> frame) => WritePayload(frame[BroFraming.HeaderSize..]);

    /// <inheritdoc />
    public override bool WritePayload(ReadOnlySpan<byte> payload)
    {
        _service.Tell(new BroServiceActor.Delivered(this, payload.ToArray()));
        return true;
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override void ResumeReading()
    {
    }
}
