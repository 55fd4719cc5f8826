using Bro.Protocol;
using Xunit;
using Bro.Testing;
using Bro.Hosting;

namespace Bro.Actors.Tests.Integration;

/// <summary>Stopping the gateway answers every call in flight before the connections close.</summary>
public sealed class GatewayShutdownSpec
{
    [Fact]
    public async Task StopAsync_answers_every_call_in_flight_with_CONNECTION_LOST_then_closes_the_connections()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");
        var calls = Enumerable.Range(0, 50)
            .Select(_ => Messages.BuildCall("caller", "callee", "echo", null,
                CallContexts.Extend(CallContexts.Create("caller", TimeSpan.FromSeconds(30)), "callee")))
            .ToList();
        await caller.WriteAsync(calls.SelectMany(c => Frames.Serialize(c, BroEncoding.Json)).ToArray());
        foreach (var call in calls)
            Assert.Equal(call.Id, (await callee.ReadAsync<CallMessage>()).Id);

        var stopping = gateway.Gateway.StopAsync();

        var answered = new HashSet<string>();
        for (var i = 0; i < calls.Count; i++)
        {
            var response = await caller.ReadAsync<ResponseMessage>();
            Assert.Equal((ErrorCodes.ConnectionLost, "The gateway is shutting down"), (response.Error!.Code, response.Error.Message));
            answered.Add(response.Id);
        }

        Assert.Equal(calls.Select(c => c.Id).ToHashSet(), answered);
        Assert.Equal(ErrorCodes.ConnectionLost, (await caller.ReadAsync<ErrorMessage>()).Error.Code);
        Assert.True(await caller.WaitClosedAsync(), "the caller's connection stays open");
        Assert.Equal(ErrorCodes.ConnectionLost, (await callee.ReadAsync<ErrorMessage>()).Error.Code);
        Assert.True(await callee.WaitClosedAsync(), "the callee's connection stays open");
        await stopping;
        Assert.False(File.Exists(gateway.Path), "the socket file is left behind");
    }

    [Fact]
    public async Task A_gateway_whose_listener_stops_on_its_own_raises_Faulted_stops_and_closes_its_connections()
    {
        var directory = Directory.CreateTempSubdirectory("bro-").FullName;
        using var system = Akka.Actor.ActorSystem.Create("faulted");
        try
        {
            var path = Path.Combine(directory, "gw.sock");
            await using var gateway = new BroGateway(Bro.Configuration.GatewaySettings.Default with { SocketPath = path }, system);
            var faulted = new TaskCompletionSource<Bro.Events.GatewayFaulted>(TaskCreationOptions.RunContinuationsAsynchronously);
            gateway.Faulted += (_, e) => faulted.TrySetResult(e);
            await gateway.StartAsync();
            await using var peer = await RawPeer.RegisterAsync(path, "svc");

            // What a listener that cannot go on does: it stops (here: made to).
            system.ActorSelection("/user/*-listener").Tell(Akka.Actor.PoisonPill.Instance);

            var fault = await faulted.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Contains(path, fault.Reason);
            Assert.False(gateway.IsRunning);
            Assert.True(await peer.WaitClosedAsync(), "the connection outlived its gateway");
            Assert.False(File.Exists(path), "the socket file is left behind");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
