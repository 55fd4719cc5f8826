using Akka.TestKit;
using Bro.BuiltIn;
using Bro.BuiltIn.Internal;
using Bro.Configuration;
using Bro.Protocol;
using Bro.Routing;
using Xunit;
using Xunit.Abstractions;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.BuiltIn;

/// <summary>
/// The built-in service's monitor on the TestScheduler: recording starts with a poll and stops
/// once no monitor has polled for <see cref="BroServiceActor.IdleAfter"/>.
/// </summary>
public sealed class BroServiceIdleSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(VirtualTime.Config, output)
{
    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void BroService_records_from_the_first_poll_and_stops_once_nobody_has_polled_for_a_while()
    {
        var routes = new RouteTable();
        var router = new CallRouter(GatewaySettings.Default, routes, Sys.Scheduler, Sys.Log, null);
        var service = Sys.ActorOf(BroServiceActor.Props(GatewaySettings.Default, router, CreateTestProbe().Ref));
        var builtIn = new BroServiceEndpoint(service);
        router.Attach(builtIn);
        routes.Set(BroService.Name, [builtIn]);
        var monitor = TestEndpoint.Registered("monitor");
        router.Attach(monitor);
        Assert.False(router.Monitor.IsWatched);

        Call(router, monitor, "req-1", BroService.Monitor, new MonitorQuery(WaitMs: 0));
        AwaitAssert(() => Assert.IsType<ResponseMessage>(Assert.Single(monitor.Messages)));
        Assert.True(router.Monitor.IsWatched);

        Scheduler.Advance(BroServiceActor.IdleAfter - TimeSpan.FromSeconds(1));
        // A ping behind the check timer's ticks: once it is answered, they have been handled.
        Call(router, monitor, "req-2", BroService.Ping, null);
        AwaitAssert(() => Assert.Equal(2, monitor.Messages.Count));
        Assert.True(router.Monitor.IsWatched, "recording stopped while a monitor had polled lately");

        Scheduler.Advance(TimeSpan.FromSeconds(1.5));
        AwaitAssert(() => Assert.False(router.Monitor.IsWatched));
    }

    private void Call(CallRouter router, TestEndpoint from, string id, string method, object? parameters)
    {
        var call = new CallMessage(id, from.ServiceName!, BroService.Name, method,
            parameters is null ? null : RawValue.FromObject(parameters, BroEncoding.Json),
            new CallContext("root-1", [from.ServiceName!], 1, Sys.Scheduler.Now.ToUnixTimeMilliseconds() + 10_000));
        var payload = from.Codec.Encode(call);
        var flushes = new FlushList();
        router.RouteCall(from, from.Codec.ReadHeader(payload), Frames.Frame(payload), flushes);
        _ = flushes.FlushAll();
    }
}
