using System.Buffers.Binary;
using System.Threading.Channels;
using Akka.Actor;
using Akka.IO;
using Akka.Streams.Dsl;
using Akka.TestKit;
using Bro.Codecs;
using Bro.Configuration;
using Bro.Connection;
using Bro.Protocol;
using Bro.Registry;
using Bro.Routing;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Gateway.Tests;

/// <summary>
/// The gateway's connection actor with its socket replaced by a test flow: what the peer
/// "writes" goes into a channel, what the actor writes lands on a probe; TestProbes stand in
/// for the registry and the router.
/// </summary>
public sealed class ConnectionActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private sealed record SocketClosed;

    private readonly Channel<ByteString> _peerWrites = Channel.CreateUnbounded<ByteString>();
    private readonly TestProbe _socket;
    private readonly TestProbe _registry;
    private readonly TestProbe _router;
    private readonly List<byte> _written = [];

    public ConnectionActorSpec(ITestOutputHelper output) : base(output: output)
    {
        _socket = CreateTestProbe();
        _registry = CreateTestProbe();
        _router = CreateTestProbe();
        // Liveness touches come with the first frame; these specs look at what else is sent.
        _registry.IgnoreMessages(message => message is RegistryActor.Touch);
    }

    private IActorRef Connection(GatewaySettings? settings = null)
    {
        var socket = Flow.FromSinkAndSource(
            Sink.ActorRef<ByteString>(_socket.Ref, new SocketClosed(), _ => new SocketClosed()),
            ChannelSource.FromReader(_peerWrites.Reader));
        return Sys.ActorOf(ConnectionActor.Props(settings ?? GatewaySettings.Default, _registry.Ref, _router.Ref, socket));
    }

    private void PeerWrites(BroMessage message, BroEncoding encoding) =>
        _peerWrites.Writer.TryWrite(ByteString.FromBytes(Frames.Serialize(message, encoding)));

    /// <summary>The next whole frame the actor wrote to its socket (writes may batch several).</summary>
    private byte[] NextWrittenPayload()
    {
        while (true)
        {
            if (_written.Count >= 4)
            {
                var length = (int)BinaryPrimitives.ReadUInt32BigEndian(_written.GetRange(0, 4).ToArray());
                if (_written.Count >= 4 + length)
                {
                    var payload = _written.GetRange(4, length).ToArray();
                    _written.RemoveRange(0, 4 + length);
                    return payload;
                }
            }

            _written.AddRange(_socket.ExpectMsg<ByteString>().ToArray());
        }
    }

    private T NextWritten<T>() where T : BroMessage => Assert.IsType<T>(Frames.Deserialize(NextWrittenPayload()));

    private static CallMessage Call(string from, string to) =>
        Messages.BuildCall(from, to, "echo", RawValue.FromObject(new { n = 1 }, BroEncoding.Json),
            CallContexts.Create(from, TimeSpan.FromSeconds(30)));

    private IActorRef RegisteredConnection(string name, BroEncoding encoding)
    {
        var connection = Connection();
        PeerWrites(new RegisterMessage(name, ["echo"]), encoding);
        Assert.Equal(name, _registry.ExpectMsg<RegistryActor.RegisterService>().Message.ServiceName);
        return connection;
    }

    [Fact]
    public void ConnectionActor_hands_REGISTER_to_the_registry_with_its_pool_index()
    {
        Connection();
        PeerWrites(new RegisterMessage("svc", ["a"], "2.0", RawValue.FromObject(new { poolIndex = 2 }, BroEncoding.MessagePack)), BroEncoding.MessagePack);

        var register = _registry.ExpectMsg<RegistryActor.RegisterService>();
        Assert.Equal(("svc", "2.0", 2), (register.Message.ServiceName, register.Message.Version, register.PoolIndex));
    }

    [Fact]
    public void ConnectionActor_hands_a_CALL_to_the_router_as_its_header_and_untouched_payload()
    {
        RegisteredConnection("caller", BroEncoding.Json);
        var call = Call("caller", "callee");
        PeerWrites(call, BroEncoding.Json);

        var routed = _router.ExpectMsg<RouterActor.RouteCall>();
        Assert.Equal((MessageType.Call, call.Id, "callee"), (routed.Header.Type, routed.Header.Id, routed.Header.To));
        Assert.Equal(MessageCodecs.Json.Encode(call), routed.Payload.ToArray());
        Assert.Equal(BroEncoding.Json, routed.Encoding);
    }

    [Fact]
    public void ConnectionActor_answers_a_CALL_before_REGISTER_with_NOT_CONNECTED_and_routes_nothing()
    {
        Connection();
        var call = Call("anonymous", "callee");
        PeerWrites(call, BroEncoding.Json);

        var response = NextWritten<ResponseMessage>();
        Assert.Equal((call.Id, ErrorCodes.NotConnected), (response.Id, response.Error!.Code));
        _router.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void ConnectionActor_writes_a_delivered_frame_byte_for_byte_when_the_encodings_match()
    {
        var connection = RegisteredConnection("callee", BroEncoding.MessagePack);
        var payload = MessageCodecs.MessagePack.Encode(Call("caller", "callee"));

        connection.Tell(new ConnectionCommands.Deliver(ByteString.FromBytes(payload), BroEncoding.MessagePack));

        Assert.Equal(payload, NextWrittenPayload());
    }

    [Fact]
    public void ConnectionActor_transcodes_a_delivered_frame_into_its_own_encoding()
    {
        var connection = RegisteredConnection("callee", BroEncoding.MessagePack);
        var call = Call("caller", "callee");

        connection.Tell(new ConnectionCommands.Deliver(ByteString.FromBytes(MessageCodecs.Json.Encode(call)), BroEncoding.Json));

        var payload = NextWrittenPayload();
        Assert.Equal(BroEncoding.MessagePack, EncodingDetector.Detect(payload));
        var written = Assert.IsType<CallMessage>(MessageCodecs.MessagePack.Decode(payload));
        Assert.Equal((call.Id, call.Context.Deadline, """{"n":1}"""), (written.Id, written.Context.Deadline, written.Params!.ToJsonString()));
    }

    [Fact]
    public void ConnectionActor_tells_the_router_when_a_delivered_CALL_cannot_be_expressed_in_its_encoding()
    {
        var connection = RegisteredConnection("callee", BroEncoding.Json);
        var call = Call("caller", "callee") with { Params = new RawValue(BroEncoding.MessagePack, new byte[] { 0xD4, 0x01, 0x00 }) };
        var router = CreateTestProbe();

        router.Send(connection, new ConnectionCommands.Deliver(ByteString.FromBytes(MessageCodecs.MessagePack.Encode(call)), BroEncoding.MessagePack));

        var failed = router.ExpectMsg<RouterActor.DeliveryFailed>();
        Assert.Equal((call.Id, ErrorCodes.SerializationFailed), (failed.Id, failed.Error.Code));
    }

    [Fact]
    public void ConnectionActor_on_Close_writes_the_ERROR_then_closes_its_socket()
    {
        var connection = RegisteredConnection("svc", BroEncoding.Json);
        Watch(connection);

        connection.Tell(new ConnectionCommands.Close(new ErrorInfo("Service 'svc' is already registered", ErrorCodes.ConnectionFailed)));

        var error = NextWritten<ErrorMessage>();
        Assert.Equal(ErrorCodes.ConnectionFailed, error.Error.Code);
        _socket.ExpectMsg<SocketClosed>();
        _peerWrites.Writer.Complete();
        ExpectTerminated(connection);
    }

    [Fact]
    public void ConnectionActor_answers_a_payload_in_neither_encoding_and_stays_open()
    {
        Connection();
        _peerWrites.Writer.TryWrite(ByteString.FromBytes(Frames.Frame("nope"u8)));

        Assert.Equal(ErrorCodes.DeserializationFailed, NextWritten<ErrorMessage>().Error.Code);

        PeerWrites(new RegisterMessage("late", []), BroEncoding.Json);
        Assert.Equal("late", _registry.ExpectMsg<RegistryActor.RegisterService>().Message.ServiceName);
    }

    [Fact]
    public void ConnectionActor_stops_when_the_peer_hangs_up()
    {
        var connection = RegisteredConnection("svc", BroEncoding.Json);
        Watch(connection);

        _peerWrites.Writer.Complete();

        ExpectTerminated(connection);
    }
}
