using Bro.Events;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;
using Bro.Testing;
using Bro.Hosting;

namespace Bro.Actors.Tests.Integration;

/// <summary>The facade's events over real sockets: what each one carries.</summary>
public sealed class GatewayEventsSpec(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("bro-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private BroGateway NewGateway(Akka.Actor.ActorSystem? system = null)
    {
        var gateway = new BroGateway(Bro.Configuration.GatewaySettings.Default with { SocketPath = Path.Combine(_directory, "gw.sock") }, system);
        gateway.Log += (_, e) => output.WriteLine(e.ToString());
        return gateway;
    }

    private static (EventHandler<T> Handler, Task<T> Raised) First<T>(Func<T, bool>? match = null)
    {
        var raised = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        return ((_, e) =>
        {
            if (match?.Invoke(e) ?? true) raised.TrySetResult(e);
        }, raised.Task.WaitAsync(Wait));
    }

    [Fact]
    public async Task Started_carries_the_socket_path()
    {
        await using var gateway = NewGateway();
        var (handler, started) = First<GatewayStarted>();
        gateway.Started += handler;

        await gateway.StartAsync();

        Assert.Equal(gateway.Settings.SocketPath, (await started).SocketPath);
    }

    [Fact]
    public async Task ServiceRegistered_carries_the_metadata_and_the_peer_credentials()
    {
        await using var gateway = NewGateway();
        var (handler, registered) = First<ServiceRegistered>();
        gateway.ServiceRegistered += handler;
        await gateway.StartAsync();

        await using var peer = await RawPeer.ConnectAsync(gateway.Settings.SocketPath);
        await peer.SendAsync(new RegisterMessage("order", ["get"], "2.0.0", RawValue.FromObject(new { region = "eu" }, BroEncoding.Json)), BroEncoding.Json);
        await peer.ReadAsync<RegisterAckMessage>();

        var e = await registered;
        Assert.Equal(("order", "2.0.0"), (e.Name, e.Version));
        Assert.Equal("""{"region":"eu"}""", e.Metadata!.ToJsonString());
        Assert.Equal(ThisProcess.Credentials, e.Credentials);
    }

    [Fact]
    public async Task CallRouted_carries_the_root_and_chain_and_ResponseRouted_the_status()
    {
        await using var gateway = NewGateway();
        var (callHandler, routed) = First<CallRouted>();
        var (responseHandler, responded) = First<ResponseRouted>();
        gateway.CallRouted += callHandler;
        gateway.ResponseRouted += responseHandler;
        await gateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Settings.SocketPath, "cart");
        await using var order = await EchoService.StartAsync(gateway.Settings.SocketPath, "order");

        var call = TestCalls.Echo("cart", "order");
        await caller.SendAsync(call with { Method = "fail" }, BroEncoding.Json);
        await caller.ReadAsync<ResponseMessage>();

        var c = await routed;
        Assert.Equal((call.Id, call.Context.Root), (c.RequestId, c.Root));
        Assert.Equal(["cart", "order"], c.Chain!);
        var r = await responded;
        Assert.Equal((call.Id, ResponseStatus.Error, "USER_NOT_FOUND"), (r.RequestId, r.Status, r.ErrorCode));
    }

    [Fact]
    public async Task A_listener_that_fails_raises_Error_and_Faulted_and_leaves_the_gateway_not_running()
    {
        using var system = Akka.Actor.ActorSystem.Create("events-faulted");
        await using var gateway = NewGateway(system);
        var (errorHandler, error) = First<GatewayErrorOccurred>(e => e.Code == ErrorCodes.InternalError);
        var (faultHandler, faulted) = First<GatewayFaulted>();
        var stoppedWhenFaulted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway.Faulted += (_, _) => stoppedWhenFaulted.TrySetResult(gateway.IsRunning);
        await gateway.StartAsync();
        gateway.Error += errorHandler; // subscribed after start: a listener failure is raised all the same
        gateway.Faulted += faultHandler;

        system.ActorSelection("/user/*-listener").Tell(Akka.Actor.PoisonPill.Instance);

        Assert.Contains(gateway.Settings.SocketPath, (await error).Message);
        Assert.Equal((await faulted).Reason, (await error).Message);
        Assert.False(await stoppedWhenFaulted.Task.WaitAsync(Wait), "IsRunning was still true when Faulted was raised");
        Assert.False(gateway.IsRunning);
    }
}
