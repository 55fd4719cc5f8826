using System.Buffers.Binary;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit;
using Bro.Configuration;
using Bro.Connection;
using Bro.Protocol;
using Bro.Registry;
using Bro.Routing;
using Xunit;
using Xunit.Abstractions;
using Bro.Testing;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Connection;

/// <summary>
/// The connection actor with its real <see cref="SocketConnection"/> over a real Unix socket
/// pair: the peer is a bare client socket, a TestProbe stands in for the registry, and the spec
/// itself plays the registry's part on the endpoint (accept, refuse, resume reading). The
/// <see cref="CallRouter"/> is real, routing to in-memory endpoints.
/// </summary>
public sealed class ConnectionActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    private readonly GatewaySettings _settings = GatewaySettings.Default;
    private readonly string _directory;
    private readonly string _path;
    private readonly Socket _listener;
    private readonly RouteTable _routes = new();
    private readonly CallRouter _router;
    private readonly TestProbe _registry;
    private readonly List<RawPeer> _peers = [];

    public ConnectionActorSpec(ITestOutputHelper output) : base(output: output)
    {
        // Short: socket paths are limited to 107 bytes.
        _directory = Directory.CreateTempSubdirectory("bro-").FullName;
        _path = Path.Combine(_directory, "c.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(_path));
        _listener.Listen(16);
        _router = new CallRouter(_settings, _routes, Sys.Scheduler, Sys.Log, null);
        _registry = CreateTestProbe();
        // Liveness touches come with the first frames; these specs look at what else is sent.
        _registry.IgnoreMessages(message => message is RegistryActor.Touch);
    }

    /// <summary>Accepts a new socket, starts its connection actor, and returns the peer's end.</summary>
    private (IActorRef Actor, SocketConnection Connection, RawPeer Peer) Connect(GatewaySettings? settings = null)
    {
        settings ??= _settings;
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(_path));
        var connection = new SocketConnection(_listener.Accept(), settings, _router, _registry.Ref, Sys.Log);
        var actor = Sys.ActorOf(ConnectionActor.Props(settings, connection));
        var peer = RawPeer.FromSocket(client);
        _peers.Add(peer);
        return (actor, connection, peer);
    }

    /// <summary>What the registry does when it accepts: name and ack, route, resume.</summary>
    private void Accept(CallEndpoint endpoint, string name)
    {
        endpoint.AcceptRegistration(name, new RegisterAckMessage("bro"));
        _routes.Set(name, [endpoint]);
        endpoint.ResumeReading();
    }

    private RegistryActor.RegisterService ExpectRegister(IActorRef actor)
    {
        var register = _registry.ExpectMsg<RegistryActor.RegisterService>();
        Assert.Equal(actor, _registry.LastSender);
        return register;
    }

    private async Task<(IActorRef Actor, SocketConnection Connection, RawPeer Peer)> RegisteredAsync(string name, BroEncoding encoding = BroEncoding.Json)
    {
        var (actor, connection, peer) = Connect();
        await peer.SendAsync(new RegisterMessage(name, ["echo"]), encoding);
        Assert.Same(connection, ExpectRegister(actor).Endpoint);
        Accept(connection, name);
        await peer.ReadAsync<RegisterAckMessage>();
        return (actor, connection, peer);
    }

    /// <summary>An in-memory service the router can route to, attached to the router.</summary>
    private TestEndpoint Service(string name)
    {
        var endpoint = TestEndpoint.Registered(name);
        _router.Attach(endpoint);
        _routes.Set(name, [endpoint]);
        return endpoint;
    }

    private static CallMessage Call(string id, string from, string to) =>
        new(id, from, to, "echo", RawValue.FromObject(new { n = 1 }, BroEncoding.Json),
            new CallContext("root-1", [from, to], 1, DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds()));

    [Fact]
    public async Task ConnectionActor_hands_REGISTER_to_the_registry_with_its_endpoint_and_pool_index()
    {
        var (actor, connection, peer) = Connect();

        await peer.SendAsync(new RegisterMessage("svc", ["a"], "2.0", RawValue.FromObject(new { poolIndex = 2 }, BroEncoding.MessagePack)), BroEncoding.MessagePack);

        var register = ExpectRegister(actor);
        Assert.Equal(("svc", "2.0", 2), (register.Message.ServiceName, register.Message.Version, register.PoolIndex));
        Assert.Same(connection, register.Endpoint);
        Assert.Equal(BroEncoding.MessagePack, connection.Encoding);
    }

    /// <summary>REGISTER as "cart" and a CALL in one write: both arrive in one read.</summary>
    private static Task SendRegisterThenCallAsync(RawPeer peer, CallMessage call) =>
        peer.WriteAsync(Frames.Serialize(new RegisterMessage("cart", ["echo"]), BroEncoding.Json)
            .Concat(Frames.Serialize(call, BroEncoding.Json)).ToArray());

    [Fact]
    public async Task ConnectionActor_handles_a_CALL_sent_right_behind_REGISTER_only_once_the_registry_accepted_it()
    {
        var order = Service("order");
        var (actor, connection, peer) = Connect();
        var call = Call("req-1", "cart", "order");

        await SendRegisterThenCallAsync(peer, call);
        ExpectRegister(actor);
        _registry.ExpectNoMsg(Quiet);
        Assert.Empty(order.Frames); // read, but held back behind the REGISTER

        Accept(connection, "cart");

        await peer.ReadAsync<RegisterAckMessage>();
        AwaitCondition(() => order.Frames.Count == 1);
        Assert.Equal(call.Id, order.TakeSingle<CallMessage>().Id);
    }

    [Fact]
    public async Task ConnectionActor_answers_a_CALL_behind_a_refused_REGISTER_with_NOT_CONNECTED()
    {
        var order = Service("order");
        var (actor, connection, peer) = Connect();
        var call = Call("req-1", "cart", "order");

        await SendRegisterThenCallAsync(peer, call);
        ExpectRegister(actor);

        // What the registry does when it refuses: an ERROR, then reading resumes.
        connection.WriteMessage(new ErrorMessage(null, new ErrorInfo("refused", ErrorCodes.InvalidMessage), 0));
        connection.ResumeReading();

        Assert.Equal(ErrorCodes.InvalidMessage, (await peer.ReadAsync<ErrorMessage>()).Error.Code);
        var response = await peer.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ErrorCodes.NotConnected), (response.Id, response.Error!.Code));
        Assert.Empty(order.Frames);
    }

    [Fact]
    public async Task ConnectionActor_answers_a_CALL_before_REGISTER_with_NOT_CONNECTED_and_routes_nothing()
    {
        var order = Service("order");
        var (_, _, peer) = Connect();
        var call = Call("req-1", "anonymous", "order");

        await peer.SendAsync(call, BroEncoding.Json);

        var response = await peer.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, "order", "anonymous", ErrorCodes.NotConnected), (response.Id, response.From, response.To, response.Error!.Code));
        Assert.Empty(order.Frames);
        _registry.ExpectNoMsg(Quiet);
    }

    [Fact]
    public async Task ConnectionActor_answers_a_payload_in_neither_encoding_with_DESERIALIZATION_FAILED_and_stays_open()
    {
        var (actor, _, peer) = Connect();

        await peer.WriteAsync(Frames.Frame("nope"u8));

        Assert.Equal(ErrorCodes.DeserializationFailed, (await peer.ReadAsync<ErrorMessage>()).Error.Code);
        await peer.SendAsync(new RegisterMessage("late", []), BroEncoding.Json);
        Assert.Equal("late", ExpectRegister(actor).Message.ServiceName);
    }

    [Fact]
    public async Task ConnectionActor_answers_a_REGISTER_ACK_from_a_client_with_INVALID_MESSAGE()
    {
        var (_, _, peer) = Connect();

        await peer.SendAsync(new RegisterAckMessage("bro"), BroEncoding.Json);

        var error = await peer.ReadAsync<ErrorMessage>();
        Assert.Equal(ErrorCodes.InvalidMessage, error.Error.Code);
        _registry.ExpectNoMsg(Quiet);
    }

    [Fact]
    public async Task ConnectionActor_answers_a_frame_over_the_maximum_size_with_INVALID_MESSAGE_then_closes()
    {
        var (actor, _, peer) = Connect(_settings with { MaxFrameSize = 1024 });
        Watch(actor);
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, 1025);

        await peer.WriteAsync(prefix);

        var error = await peer.ReadAsync<ErrorMessage>();
        Assert.Equal(ErrorCodes.InvalidMessage, error.Error.Code);
        Assert.Contains("1025", error.Error.Message);
        Assert.True(await peer.WaitClosedAsync());
        await peer.DisposeAsync();
        ExpectTerminated(actor);
    }

    [Fact]
    public async Task ConnectionActor_on_Close_writes_the_ERROR_then_closes_its_socket()
    {
        var (actor, _, peer) = await RegisteredAsync("svc");
        Watch(actor);

        actor.Tell(new ConnectionCommands.Close(new ErrorInfo("Service 'svc' is already registered", ErrorCodes.ConnectionFailed)));

        var error = await peer.ReadAsync<ErrorMessage>();
        Assert.Equal((ErrorCodes.ConnectionFailed, "Service 'svc' is already registered"), (error.Error.Code, error.Error.Message));
        Assert.True(await peer.WaitClosedAsync());
        await peer.DisposeAsync();
        ExpectTerminated(actor);
    }

    [Fact]
    public async Task ConnectionActor_closes_a_connection_that_sends_no_REGISTER_within_the_register_timeout()
    {
        var settings = _settings with { RegisterTimeout = TimeSpan.FromMilliseconds(300) };
        var (actor, connection, peer) = Connect(settings);
        Watch(actor);

        var error = await peer.ReadAsync<ErrorMessage>();

        Assert.Equal(ErrorCodes.ConnectionFailed, error.Error.Code);
        Assert.Contains("No REGISTER within", error.Error.Message);
        Assert.True(await peer.WaitClosedAsync());
        Assert.Null(connection.ServiceName);
        await peer.DisposeAsync();
        ExpectTerminated(actor);
    }

    [Fact]
    public async Task ConnectionActor_stops_when_the_peer_hangs_up_and_its_callers_get_CONNECTION_LOST()
    {
        var cart = Service("cart");
        var (actor, connection, peer) = await RegisteredAsync("order");
        Watch(actor);
        var call = Call("req-1", "cart", "order");
        var payload = cart.Codec.Encode(call);
        var flushes = new FlushList();
        _router.RouteCall(cart, cart.Codec.ReadHeader(payload), Frames.Frame(payload), flushes);
        _ = flushes.FlushAll();
        Assert.Equal(call.Id, (await peer.ReadAsync<CallMessage>()).Id);

        await peer.DisposeAsync();

        ExpectTerminated(actor);
        var response = cart.TakeSingle<ResponseMessage>();
        Assert.Equal((call.Id, "order", ErrorCodes.ConnectionLost), (response.Id, response.From, response.Error!.Code));
        Assert.Equal(0, _router.Stats().PendingCalls);
        Assert.Equal(0, connection.OutgoingCount);
    }

    [Fact]
    public async Task ConnectionActor_routes_frames_split_at_every_byte_offset_whole()
    {
        var order = Service("order");
        var (_, _, peer) = await RegisteredAsync("cart");
        // Two frames per round, the ids of one width: every round has the same length, so
        // each offset of the pair is split at once.
        byte[] Round(int round) =>
            [.. Frames.Serialize(Call($"req-{round:D4}-a", "cart", "order"), BroEncoding.Json),
             .. Frames.Serialize(Call($"req-{round:D4}-b", "cart", "order"), BroEncoding.Json)];
        var length = Round(0).Length;
        var expected = new List<byte[]>();

        for (var offset = 1; offset < length; offset++)
        {
            var bytes = Round(offset);
            await peer.WriteAsync(bytes.AsMemory(0, offset));
            await peer.WriteAsync(bytes.AsMemory(offset));
            var first = BinaryPrimitives.ReadInt32BigEndian(bytes) + 4;
            expected.Add(bytes[..first]);
            expected.Add(bytes[first..]);
        }

        // And one byte at a time.
        var last = Round(length);
        for (var i = 0; i < last.Length; i++)
            await peer.WriteAsync(last.AsMemory(i, 1));
        var split = BinaryPrimitives.ReadInt32BigEndian(last) + 4;
        expected.Add(last[..split]);
        expected.Add(last[split..]);

        AwaitCondition(() => order.Frames.Count >= expected.Count, TimeSpan.FromSeconds(10));
        Assert.Equal(expected, order.TakeFrames());
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var peer in _peers)
                peer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _listener.Dispose();
        }

        base.Dispose(disposing);
        if (disposing)
            Directory.Delete(_directory, recursive: true);
    }
}
