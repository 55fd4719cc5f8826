using System.Diagnostics;
using Bro.Protocol;
using Xunit;
using Bro.Testing;

namespace Bro.Actors.Tests.Integration;

/// <summary>
/// Who owns a call in flight, over real sockets: ids are per caller connection, a RESPONSE is
/// accepted only from the connection its CALL went to, the gateway's deadline is capped by
/// request-timeout, and each connection's calls in flight are capped (PROTOCOL.md, "What a Bro
/// gateway adds").
/// </summary>
/// <remarks>
/// "Nothing else arrived" is shown without waiting for silence: frames on one connection keep
/// their order, so a probe sent after the frame under test proves, when the probe's own answer
/// (or CALL) is the next frame read, that the frame under test produced nothing before it.
/// </remarks>
public sealed class GatewayCallOwnershipSpec(Xunit.Abstractions.ITestOutputHelper output)
{
    private const BroEncoding Json = BroEncoding.Json;

    private static CallMessage Call(string from, string to, object parameters) =>
        Messages.BuildCall(from, to, "echo", RawValue.FromObject(parameters, Json),
            CallContexts.Extend(CallContexts.Create(from, TimeSpan.FromSeconds(30)), to));

    private static Task AnswerAsync(RawPeer callee, CallMessage received, object data) =>
        callee.SendAsync(Messages.BuildSuccessResponse(received, data: RawValue.FromObject(data, Json)), Json);

    private static string DataOf(ResponseMessage response) => response.Data!.ToJsonString();

    /// <summary>
    /// Sends a fresh call from <paramref name="caller"/>, answers it on <paramref name="callee"/>
    /// and checks it is the next frame the caller reads: nothing else was queued for the caller
    /// before it.
    /// </summary>
    private static async Task TheNextFrameIsTheAnswerToAFreshCall(RawPeer caller, string callerName, RawPeer callee)
    {
        var probe = Call(callerName, "callee", new { probe = true });
        await caller.SendAsync(probe, Json);
        var received = await callee.ReadAsync<CallMessage>();
        Assert.Equal(probe.Id, received.Id);
        await AnswerAsync(callee, received, new { probe = callerName });

        var answer = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((probe.Id, ResponseStatus.Success), (answer.Id, answer.Status));
        Assert.Equal($$"""{"probe":"{{callerName}}"}""", DataOf(answer));
    }

    [Fact]
    public async Task Two_callers_using_one_id_at_once_each_get_their_own_answer_under_their_own_id()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var alice = await RawPeer.RegisterAsync(gateway.Path, "alice");
        await using var bob = await RawPeer.RegisterAsync(gateway.Path, "bob");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");

        const string id = "same-id";
        var fromAlice = Call("alice", "callee", new { who = "alice" }) with { Id = id };
        var fromBob = Call("bob", "callee", new { who = "bob" }) with { Id = id };
        await Task.WhenAll(alice.SendAsync(fromAlice, Json), bob.SendAsync(fromBob, Json));

        var first = await callee.ReadAsync<CallMessage>();
        var second = await callee.ReadAsync<CallMessage>();
        Assert.NotEqual(first.Id, second.Id);
        // One keeps its id, the other is renamed <id>~<connection>.<n>; which one is a race.
        var ids = new[] { first.Id, second.Id }.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(id, ids[0]);
        Assert.StartsWith(id + "~", ids[1]);
        Assert.Equal(["alice", "bob"], new[] { first.From, second.From }.Order(StringComparer.Ordinal));

        // Answer in reverse order, each under the id the callee saw, with data naming its caller.
        await AnswerAsync(callee, second, new { answer = second.From });
        await AnswerAsync(callee, first, new { answer = first.From });

        foreach (var (peer, name) in new[] { (alice, "alice"), (bob, "bob") })
        {
            var response = await peer.ReadAsync<ResponseMessage>();
            Assert.Equal((id, ResponseStatus.Success, "callee", name), (response.Id, response.Status, response.From, response.To));
            Assert.Equal($$"""{"answer":"{{name}}"}""", DataOf(response));
        }

        // Neither caller was sent the other's answer as well.
        await TheNextFrameIsTheAnswerToAFreshCall(alice, "alice", callee);
        await TheNextFrameIsTheAnswerToAFreshCall(bob, "bob", callee);
        Assert.Equal(0, (await gateway.Gateway.GetStatusAsync()).PendingCalls);
    }

    [Fact]
    public async Task A_RESPONSE_from_a_connection_the_CALL_was_not_delivered_to_never_reaches_the_caller()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");
        await using var forger = await RawPeer.RegisterAsync(gateway.Path, "forger");

        var call = Call("caller", "callee", new { });
        await caller.SendAsync(call, Json);
        var received = await callee.ReadAsync<CallMessage>();

        var forged = new ResponseMessage(call.Id, "callee", "caller", ResponseStatus.Success,
            RawValue.FromObject(new { from = "forger" }, Json), null, call.Context);
        await forger.SendAsync(forged, Json);
        // The forger's connection handles its frames in order: once its call to an unknown
        // service is answered, the gateway has handled the forged RESPONSE.
        var ghostCall = Call("forger", "ghost", new { });
        await forger.SendAsync(ghostCall, Json);
        var notFound = await forger.ReadAsync<ResponseMessage>();
        Assert.Equal((ghostCall.Id, ErrorCodes.ServiceNotFound), (notFound.Id, notFound.Error!.Code));

        await AnswerAsync(callee, received, new { from = "callee" });

        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Success), (response.Id, response.Status));
        Assert.Equal("""{"from":"callee"}""", DataOf(response));
        await TheNextFrameIsTheAnswerToAFreshCall(caller, "caller", callee);
        var status = await gateway.Gateway.GetStatusAsync();
        Assert.Equal((0, 1L), (status.PendingCalls, status.ResponsesDropped));
    }

    [Fact]
    public async Task A_deadline_ten_years_ahead_is_cut_to_request_timeout_and_the_late_RESPONSE_is_dropped()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with
        {
            RequestTimeout = TimeSpan.FromMilliseconds(300),
            PendingSweepInterval = TimeSpan.FromMilliseconds(50),
        });
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");

        var call = Call("caller", "callee", new { });
        call = call with { Context = call.Context with { Deadline = DateTimeOffset.UtcNow.AddYears(10).ToUnixTimeMilliseconds() } };
        var clock = Stopwatch.StartNew();
        await caller.SendAsync(call, Json);
        var received = await callee.ReadAsync<CallMessage>();
        Assert.Equal(call.Context.Deadline, received.Context.Deadline);

        // RawPeer gives up after 10 s: the answer must come from request-timeout, not the deadline.
        var expired = await caller.ReadAsync<ResponseMessage>();
        clock.Stop();
        output.WriteLine($"DEADLINE_EXCEEDED after {clock.Elapsed.TotalMilliseconds} ms");
        Assert.Equal((call.Id, ResponseStatus.Error, ErrorCodes.DeadlineExceeded), (expired.Id, expired.Status, expired.Error!.Code));
        Assert.Equal(("callee", "caller"), (expired.From, expired.To));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"answered after {clock.Elapsed.TotalMilliseconds} ms, before request-timeout (300 ms)");
        Assert.Equal(0, (await gateway.Gateway.GetStatusAsync()).PendingCalls);

        await AnswerAsync(callee, received, new { late = true });
        // The late RESPONSE went out on the callee's connection before the probe's answer.
        await TheNextFrameIsTheAnswerToAFreshCall(caller, "caller", callee);
    }

    [Fact]
    public async Task The_CALL_over_max_calls_in_flight_is_answered_MAX_IN_FLIGHT_EXCEEDED_at_once_and_never_delivered()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with { MaxCallsInFlight = 5 });
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");

        var calls = Enumerable.Range(0, 6).Select(i => Call("caller", "callee", new { i })).ToArray();
        await caller.WriteAsync(calls.SelectMany(c => Frames.Serialize(c, Json)).ToArray());

        var refused = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((calls[5].Id, ResponseStatus.Error, ErrorCodes.MaxInFlightExceeded), (refused.Id, refused.Status, refused.Error!.Code));
        Assert.Equal(("callee", "caller"), (refused.From, refused.To));

        var delivered = new List<CallMessage>();
        for (var i = 0; i < 5; i++)
            delivered.Add(await callee.ReadAsync<CallMessage>());
        Assert.Equal(calls.Take(5).Select(c => c.Id), delivered.Select(c => c.Id));

        // One answered frees a slot: the next CALL is delivered, and it is the callee's next
        // frame, so the refused sixth never was.
        await AnswerAsync(callee, delivered[0], new { i = 0 });
        Assert.Equal(calls[0].Id, (await caller.ReadAsync<ResponseMessage>()).Id);
        var next = Call("caller", "callee", new { i = 6 });
        await caller.SendAsync(next, Json);
        Assert.Equal(next.Id, (await callee.ReadAsync<CallMessage>()).Id);
        Assert.Equal(5, (await gateway.Gateway.GetStatusAsync()).PendingCalls);
    }

    [Fact]
    public async Task A_CALL_reusing_an_id_still_in_flight_is_answered_INVALID_MESSAGE_and_the_first_call_completes()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");

        var call = Call("caller", "callee", new { n = 1 });
        await caller.SendAsync(call, Json);
        var received = await callee.ReadAsync<CallMessage>();

        await caller.SendAsync(Call("caller", "callee", new { n = 2 }) with { Id = call.Id }, Json);
        var refused = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Error, ErrorCodes.InvalidMessage), (refused.Id, refused.Status, refused.Error!.Code));

        await AnswerAsync(callee, received, new { answer = 1 });
        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Success), (response.Id, response.Status));
        Assert.Equal("""{"answer":1}""", DataOf(response));

        // The duplicate never reached the callee: the probe is its next CALL.
        await TheNextFrameIsTheAnswerToAFreshCall(caller, "caller", callee);
        Assert.Equal(0, (await gateway.Gateway.GetStatusAsync()).PendingCalls);
    }
}
