using System.Net.Sockets;
using Bro.Actors.Tests.Support;
using Bro.Federation;
using Bro.Protocol;
using Bro.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Actors.Tests.Federation;

/// <summary>
/// The data links frames travel on between gateways: closed to anyone without a token the
/// cluster handed out, bounded in what a stranger can make them hold, and replaced when one
/// breaks, its calls in flight answered at once.
/// </summary>
[Collection(nameof(FederationCollection))]
public sealed class FederationDataLinkSpec(ITestOutputHelper output)
{
    private const int A = 0, B = 1;

    private static CallMessage Call(string from, string to, object parameters) =>
        Messages.BuildCall(from, to, "get", RawValue.FromObject(parameters, BroEncoding.Json),
            CallContexts.Extend(CallContexts.Create(from, TimeSpan.FromSeconds(30)), to));

    [Fact]
    public async Task A_stranger_on_the_data_port_is_refused_and_the_cluster_keeps_routing()
    {
        await using var cluster = await TestCluster.StartAsync(output, size: 2);
        await using var users = await RawPeer.RegisterAsync(cluster[A].Path, "users");
        await using var orders = await RawPeer.RegisterAsync(cluster[B].Path, "orders");
        await cluster.RoutesAsync(from: B, "users", to: A);
        var port = (await cluster[A].Gateway.GetClusterViewAsync())!.DataPort;
        Assert.NotEqual(0, port);

        // A well-formed hello with a token nobody issued, followed by a CALL for a real service.
        await using var forged = RawPeer.FromSocket(await ConnectAsync(port));
        byte[] hello = [.. DataLinkHello.Write(BroEncoding.Json, 1024 * 1024, DataLinkHello.NewToken()),
            .. Frames.Serialize(Call("orders", "users", new { id = 666 }), BroEncoding.Json)];
        await forged.WriteAsync(hello);
        Assert.True(await forged.WaitClosedAsync());
        // Not a data link at all.
        await using var garbage = RawPeer.FromSocket(await ConnectAsync(port));
        await garbage.WriteAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n---------------------"u8.ToArray());
        Assert.True(await garbage.WaitClosedAsync());

        // The forged CALL never reached users: the first CALL it reads is this one.
        var call = Call("orders", "users", new { id = 1 });
        await orders.SendAsync(call, BroEncoding.Json);
        var received = await users.ReadAsync<CallMessage>();
        Assert.Equal(RawValue.FromObject(new { id = 1 }, BroEncoding.Json).ToJsonString(), received.Params!.ToJsonString());
        await users.SendAsync(Messages.BuildSuccessResponse(received), BroEncoding.Json);
        var response = await orders.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Success), (response.Id, response.Status));
    }

    [Fact]
    public async Task Connections_waiting_for_their_hello_are_capped_and_timed_out()
    {
        await using var cluster = await TestCluster.StartAsync(output, size: 1,
            configure: (_, s) => s with { MaxHandshakes = 4, HandshakeTimeout = TimeSpan.FromSeconds(3) });
        var port = (await cluster[A].Gateway.GetClusterViewAsync())!.DataPort;

        var silent = new List<Socket>();
        for (var i = 0; i < 4; i++)
            silent.Add(await ConnectAsync(port));
        // One more than the cap is closed at once, while those before it still wait for their hello...
        await using (var extra = RawPeer.FromSocket(await ConnectAsync(port)))
            Assert.True(await extra.WaitClosedAsync());
        Assert.False(silent[0].Poll(0, SelectMode.SelectRead), "the first silent connection was closed before its handshake timed out");

        // ...which they do not get past the handshake timeout.
        foreach (var socket in silent)
        {
            await using var peer = RawPeer.FromSocket(socket);
            Assert.True(await peer.WaitClosedAsync());
        }
    }

    [Fact]
    public async Task A_data_link_that_breaks_answers_its_calls_in_flight_CONNECTION_LOST_and_a_new_one_takes_over()
    {
        // Gateway A queues 64 KiB at most for any connection, its links included: a 100 KB
        // RESPONSE to B passes that, which breaks the link, taking the calls in flight with it.
        await using var cluster = await TestCluster.StartAsync(output, size: 2,
            gateway: (i, s) => i == A ? s with { OutboundQueueLimit = 64 * 1024 } : s);
        await using var users = await RawPeer.RegisterAsync(cluster[A].Path, "users");
        await using var orders = await RawPeer.RegisterAsync(cluster[B].Path, "orders");
        await cluster.RoutesAsync(from: B, "users", to: A);

        var waiting = Call("orders", "users", new { id = 1 });
        var large = Call("orders", "users", new { id = 2 });
        await orders.SendAsync(waiting, BroEncoding.Json);
        await orders.SendAsync(large, BroEncoding.Json);
        Assert.Equal(waiting.Id, (await users.ReadAsync<CallMessage>()).Id);
        var toAnswer = await users.ReadAsync<CallMessage>();
        await users.SendAsync(Messages.BuildSuccessResponse(toAnswer,
            data: RawValue.FromObject(new { blob = new string('x', 100_000) }, BroEncoding.Json)), BroEncoding.Json);

        var answers = new[] { await orders.ReadAsync<ResponseMessage>(), await orders.ReadAsync<ResponseMessage>() };
        Assert.Equal(new[] { waiting.Id, large.Id }.Order(), answers.Select(a => a.Id).Order());
        Assert.All(answers, a => Assert.Equal((ResponseStatus.Error, ErrorCodes.ConnectionLost), (a.Status, a.Error!.Code)));

        // A new link once the broken one's gateway has rested.
        await cluster.RoutesAsync(from: B, "users", to: A);
        var next = Call("orders", "users", new { id = 3 });
        await orders.SendAsync(next, BroEncoding.Json);
        var received = await users.ReadAsync<CallMessage>();
        Assert.Equal(next.Id, received.Id);
        await users.SendAsync(Messages.BuildSuccessResponse(received), BroEncoding.Json);
        var answer = await orders.ReadAsync<ResponseMessage>();
        Assert.Equal((next.Id, ResponseStatus.Success), (answer.Id, answer.Status));
    }

    [Fact]
    public async Task A_frame_the_callers_gateway_took_crosses_even_past_the_callees_gateways_max_frame_size()
    {
        // B takes 16 MiB frames from its services, A 64 KiB from its own: a link carries what
        // the sending gateway took (its hello says how much), rather than break on it.
        await using var cluster = await TestCluster.StartAsync(output, size: 2,
            gateway: (i, s) => i == A ? s with { MaxFrameSize = 64 * 1024 } : s);
        await using var users = await RawPeer.RegisterAsync(cluster[A].Path, "users");
        await using var orders = await RawPeer.RegisterAsync(cluster[B].Path, "orders");
        await cluster.RoutesAsync(from: B, "users", to: A);

        var blob = new string('x', 100_000);
        var call = Call("orders", "users", new { blob });
        await orders.SendAsync(call, BroEncoding.Json);
        var received = await users.ReadAsync<CallMessage>();
        Assert.Equal((call.Id, blob.Length), (received.Id, received.Params!.ToJsonString().Length - """{"blob":""}""".Length));
        await users.SendAsync(Messages.BuildSuccessResponse(received), BroEncoding.Json);
        var answer = await orders.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Success), (answer.Id, answer.Status));
    }

    [Fact]
    public async Task A_data_port_in_use_fails_the_gateways_start()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var directory = Directory.CreateTempSubdirectory("bro-").FullName;
        try
        {
            var settings = Bro.Configuration.GatewaySettings.Default with
            {
                SocketPath = Path.Combine(directory, "gw.sock"),
                Cluster = new FederationSettings { Port = 0, DataPort = port },
            };
            await using var gateway = new Bro.Hosting.BroGateway(settings);

            var failure = await Assert.ThrowsAsync<SocketException>(() => gateway.StartAsync());
            Assert.Equal(SocketError.AddressAlreadyInUse, failure.SocketErrorCode);
            Assert.False(File.Exists(settings.SocketPath)); // nothing half-started
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        return socket;
    }
}
