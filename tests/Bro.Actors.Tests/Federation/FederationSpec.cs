using Bro.Actors.Tests.Support;
using Bro.Testing;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Actors.Tests.Federation;

/// <summary>
/// Three gateways, each on its own actor system, socket and localhost port, in one Akka.Cluster:
/// calls cross gateways as they cross one, and a gateway's loss is every caller's CONNECTION_LOST.
/// </summary>
[Collection(nameof(FederationCollection))]
public sealed class FederationSpec(ITestOutputHelper output)
{
    private const int A = 0, B = 1, C = 2;

    private static CallMessage Call(string from, string to, BroEncoding encoding, CallContext? parent = null) =>
        Messages.BuildCall(from, to, "echo", RawValue.FromObject(new { text = "héllo", n = 42 }, encoding),
            parent is null ? CallContexts.Extend(CallContexts.Create(from, TimeSpan.FromSeconds(30)), to) : CallContexts.Extend(parent, to));

    [Theory]
    [InlineData(BroEncoding.Json, BroEncoding.Json)]
    [InlineData(BroEncoding.MessagePack, BroEncoding.Json)]
    public async Task A_service_on_gateway_A_answers_a_client_on_gateway_C(BroEncoding callerEncoding, BroEncoding calleeEncoding)
    {
        await using var cluster = await TestCluster.StartAsync(output);
        await using var callee = await RawPeer.RegisterAsync(cluster[A].Path, "users", calleeEncoding);
        await using var caller = await RawPeer.RegisterAsync(cluster[C].Path, "orders", callerEncoding);
        await cluster.RoutesAsync(from: C, "users", to: A);

        var call = Call("orders", "users", callerEncoding);
        var sent = Frames.Serialize(call, callerEncoding);
        await caller.WriteAsync(sent);

        var payload = await callee.ReadPayloadAsync();
        var received = (CallMessage)Frames.Deserialize(payload);
        Assert.Equal((call.Id, call.Context.Root, call.Context.Depth, call.Context.Deadline),
            (received.Id, received.Context.Root, received.Context.Depth, received.Context.Deadline));
        Assert.Equal(call.Params!.ToJsonString(), received.Params!.ToJsonString());
        if (callerEncoding == calleeEncoding)
            Assert.Equal(sent.AsSpan(4).ToArray(), payload); // the very bytes the caller wrote
        else
            Assert.Equal(calleeEncoding, received.Params.Encoding);

        await callee.SendAsync(Messages.BuildSuccessResponse(received, data: RawValue.FromObject(new { ok = true }, calleeEncoding)), calleeEncoding);
        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Success, callerEncoding), (response.Id, response.Status, response.Data!.Encoding));
        Assert.Equal("""{"ok":true}""", response.Data.ToJsonString());
    }

    [Fact]
    public async Task A_nested_chain_from_A_through_B_to_C_keeps_its_root_and_counts_its_depth()
    {
        await using var cluster = await TestCluster.StartAsync(output);
        await using var client = await RawPeer.RegisterAsync(cluster[A].Path, "client");
        await using var middle = await RawPeer.RegisterAsync(cluster[B].Path, "middle", BroEncoding.MessagePack);
        await using var last = await RawPeer.RegisterAsync(cluster[C].Path, "last");
        await cluster.RoutesAsync(from: A, "middle", to: B);
        await cluster.RoutesAsync(from: B, "last", to: C);

        var call = Call("client", "middle", BroEncoding.Json);
        await client.SendAsync(call, BroEncoding.Json);
        var atMiddle = await middle.ReadAsync<CallMessage>();
        var nested = Call("middle", "last", BroEncoding.MessagePack, parent: atMiddle.Context);
        await middle.SendAsync(nested, BroEncoding.MessagePack);
        var atLast = await last.ReadAsync<CallMessage>();

        Assert.Equal((call.Context.Root, call.Context.Depth), (atMiddle.Context.Root, atMiddle.Context.Depth));
        Assert.Equal((call.Context.Root, call.Context.Depth + 1), (atLast.Context.Root, atLast.Context.Depth));
        Assert.Equal(["client", "middle", "last"], atLast.Context.Chain);

        await last.SendAsync(Messages.BuildSuccessResponse(atLast, data: RawValue.FromObject(new { hops = 2 }, BroEncoding.Json)), BroEncoding.Json);
        var inner = await middle.ReadAsync<ResponseMessage>();
        Assert.Equal((nested.Id, ResponseStatus.Success), (inner.Id, inner.Status));
        await middle.SendAsync(Messages.BuildSuccessResponse(atMiddle, data: inner.Data), BroEncoding.MessagePack);
        var outer = await client.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, """{"hops":2}"""), (outer.Id, outer.Data!.ToJsonString()));
    }

    [Fact]
    public async Task A_CALL_deeper_than_max_depth_is_refused_by_the_gateway_it_crosses_to()
    {
        await using var cluster = await TestCluster.StartAsync(output);
        await using var client = await RawPeer.RegisterAsync(cluster[A].Path, "client");
        await using var callee = await RawPeer.RegisterAsync(cluster[B].Path, "callee");
        await cluster.RoutesAsync(from: A, "callee", to: B);

        var call = Call("client", "callee", BroEncoding.Json);
        call = call with { Context = call.Context with { Depth = 101 } };
        await client.SendAsync(call, BroEncoding.Json);

        var response = await client.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ErrorCodes.MaxDepthExceeded), (response.Id, response.Error!.Code));
    }

    [Fact]
    public async Task When_gateway_B_crashes_mid_call_its_callers_get_CONNECTION_LOST_and_new_calls_SERVICE_NOT_FOUND()
    {
        await using var cluster = await TestCluster.StartAsync(output);
        await using var callee = await RawPeer.RegisterAsync(cluster[B].Path, "users");
        await using var caller = await RawPeer.RegisterAsync(cluster[C].Path, "orders");
        await cluster.RoutesAsync(from: C, "users", to: B);

        var call = Call("orders", "users", BroEncoding.Json);
        await caller.SendAsync(call, BroEncoding.Json);
        await callee.ReadAsync<CallMessage>(); // in flight on B, never answered
        var crashed = DateTime.UtcNow;
        await cluster.CrashAsync(B);

        // The call's deadline is 30 s away: only the failure detector and the resolver answer it sooner.
        var lost = await caller.ReadAsync<ResponseMessage>();
        output.WriteLine($"CONNECTION_LOST {(DateTime.UtcNow - crashed).TotalMilliseconds:0} ms after the crash");
        Assert.Equal((call.Id, ErrorCodes.ConnectionLost), (lost.Id, lost.Error!.Code));

        var next = Call("orders", "users", BroEncoding.Json);
        await caller.SendAsync(next, BroEncoding.Json);
        var notFound = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((next.Id, ErrorCodes.ServiceNotFound), (notFound.Id, notFound.Error!.Code));
    }

    [Fact]
    public async Task When_gateway_B_leaves_mid_call_its_callers_get_CONNECTION_LOST_and_new_calls_go_to_another_gateway()
    {
        await using var cluster = await TestCluster.StartAsync(output);
        await using var onB = await RawPeer.RegisterAsync(cluster[B].Path, "users");
        await using var caller = await RawPeer.RegisterAsync(cluster[C].Path, "orders");
        await cluster.RoutesAsync(from: C, "users", to: B);
        var call = Call("orders", "users", BroEncoding.Json);
        await caller.SendAsync(call, BroEncoding.Json);
        await onB.ReadAsync<CallMessage>(); // in flight on B, never answered
        await using var onA = await RawPeer.RegisterAsync(cluster[A].Path, "users");
        await cluster.RoutesAsync(from: C, "users", to: A);

        // A graceful stop (SIGTERM): B answers what it holds, then leaves the cluster.
        await cluster.LeaveAsync(B);

        var lost = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ErrorCodes.ConnectionLost), (lost.Id, lost.Error!.Code));
        var next = Call("orders", "users", BroEncoding.Json);
        await caller.SendAsync(next, BroEncoding.Json);
        var received = await onA.ReadAsync<CallMessage>();
        await onA.SendAsync(Messages.BuildSuccessResponse(received), BroEncoding.Json);
        var answer = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((next.Id, ResponseStatus.Success), (answer.Id, answer.Status));
    }

    [Fact]
    public async Task Gateway_B_restarted_after_a_crash_rejoins_and_is_routed_to_again()
    {
        await using var cluster = await TestCluster.StartAsync(output);
        await using (await RawPeer.RegisterAsync(cluster[B].Path, "users"))
        {
            await cluster.RoutesAsync(from: C, "users", to: B);
            await cluster.CrashAsync(B);
        }

        await cluster.StartNodeAsync(B);
        await cluster.AllUpAsync();
        await using var callee = await RawPeer.RegisterAsync(cluster[B].Path, "users");
        await using var caller = await RawPeer.RegisterAsync(cluster[C].Path, "orders");
        await cluster.RoutesAsync(from: C, "users", to: B);

        var call = Call("orders", "users", BroEncoding.Json);
        await caller.SendAsync(call, BroEncoding.Json);
        var received = await callee.ReadAsync<CallMessage>();
        await callee.SendAsync(Messages.BuildSuccessResponse(received), BroEncoding.Json);
        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Success), (response.Id, response.Status));
    }
}

/// <summary>Cluster specs run one at a time: each forms a three-gateway cluster, and two cores are shared.</summary>
[CollectionDefinition(nameof(FederationCollection), DisableParallelization = true)]
public sealed class FederationCollection;
