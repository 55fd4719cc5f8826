using System.Diagnostics;
using System.Text.Json;
using Bro.Client.Tests.Support;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests;

public sealed class CallSpec(ITestOutputHelper output) : ClientSpec(output)
{
    public sealed record GetUser(string UserId);

    public sealed record User(string Id, string Name);

    private static void RegisterUsers(BroClient client)
    {
        client.RegisterMethod<GetUser, User>("getUserById", (p, _) =>
            p.UserId == "404"
                ? throw new BroException("USER_NOT_FOUND", $"User {p.UserId} not found")
                : Task.FromResult(new User(p.UserId, "Ada")));
        client.RegisterMethod<GetUser, User>("slow", async (p, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            return new User(p.UserId, "late");
        });
        client.RegisterMethod<object, string>("boom", (_, _) => throw new InvalidOperationException("kaput"));
    }

    [Fact]
    public async Task A_call_returns_the_handlers_typed_result()
    {
        await ConnectedClient("user-service", RegisterUsers);
        var order = await ConnectedClient("order-service");

        var user = await order.CallAsync<User>("user-service", "getUserById", new { userId = "123" }).WaitAsync(Patience);

        Assert.Equal(new User("123", "Ada"), user);
    }

    [Fact]
    public async Task A_handler_error_keeps_its_custom_code_and_message()
    {
        await ConnectedClient("user-service", RegisterUsers);
        var order = await ConnectedClient("order-service");

        var error = await Fails(order.CallAsync<User>("user-service", "getUserById", new { userId = "404" }));

        Assert.Equal("USER_NOT_FOUND", error.Code);
        Assert.Equal("User 404 not found", error.Message);
    }

    [Fact]
    public async Task Any_other_handler_exception_becomes_EXECUTION_FAILED_without_a_stack_unless_debug()
    {
        var executed = new TaskCompletionSource<Events.MethodExecutedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var user = await ConnectedClient("user-service", RegisterUsers);
        user.MethodExecuted += (_, e) => executed.TrySetResult(e);
        var order = await ConnectedClient("order-service");

        var error = await Fails(order.CallAsync<string>("user-service", "boom"));

        Assert.Equal(ErrorCodes.ExecutionFailed, error.Code);
        Assert.Equal("kaput", error.Message);
        Assert.Null(error.Details);
        var e = await executed.Task.WaitAsync(Patience);
        Assert.False(e.Success);
        Assert.Equal("boom", e.Method);
    }

    [Fact]
    public async Task With_debug_on_an_error_response_carries_the_handlers_stack_trace()
    {
        await ConnectedClient("user-service", RegisterUsers, o => o with { Debug = true });
        var order = await ConnectedClient("order-service");

        var error = await Fails(order.CallAsync<string>("user-service", "boom"));

        Assert.Equal(ErrorCodes.ExecutionFailed, error.Code);
        Assert.Contains(nameof(RegisterUsers), error.Details);
    }

    [Fact]
    public async Task With_debug_on_the_Log_event_shows_the_frames_sent_and_received()
    {
        await ConnectedClient("user-service", RegisterUsers);
        var order = await ConnectedClient("order-service", configure: o => o with { Debug = true });
        var lines = new List<Events.BroLogEventArgs>();
        order.Log += (_, e) => { lock (lines) lines.Add(e); };

        await order.CallAsync<User>("user-service", "getUserById", new { userId = "7" }).WaitAsync(Patience);

        lock (lines)
        {
            Assert.Contains(lines, l => l.Level == Events.BroLogLevel.Debug && l.Message.StartsWith("-> CALL", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Level == Events.BroLogLevel.Debug && l.Message.StartsWith("<- [0] RESPONSE", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task An_unknown_method_fails_with_METHOD_NOT_FOUND()
    {
        await ConnectedClient("user-service", RegisterUsers);
        var order = await ConnectedClient("order-service");

        var error = await Fails(order.CallAsync<User>("user-service", "nope"));

        Assert.Equal(ErrorCodes.MethodNotFound, error.Code);
        Assert.Equal("Method 'nope' not found", error.Message);
    }

    [Fact]
    public async Task An_unknown_service_fails_fast_with_SERVICE_NOT_FOUND_not_after_the_timeout()
    {
        var order = await ConnectedClient("order-service");
        var watch = Stopwatch.StartNew();

        var error = await Fails(order.CallAsync<User>(
            "ghost-service", "anything", options: new CallOptions { Timeout = TimeSpan.FromSeconds(20) }));

        Assert.Equal(ErrorCodes.ServiceNotFound, error.Code);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_call_without_an_answer_in_time_fails_with_TIMEOUT_and_leaves_nothing_pending()
    {
        await ConnectedClient("user-service", RegisterUsers);
        var order = await ConnectedClient("order-service");

        var error = await Fails(order.CallAsync<User>(
            "user-service", "slow", new { userId = "1" }, new CallOptions { Timeout = TimeSpan.FromMilliseconds(200) }));

        Assert.Equal(ErrorCodes.Timeout, error.Code);
        Assert.Equal(0, order.GetStatus().PendingRequests);
    }

    [Fact]
    public async Task A_cancelled_call_is_cancelled_and_leaves_nothing_pending()
    {
        await ConnectedClient("user-service", RegisterUsers);
        var order = await ConnectedClient("order-service");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => order.CallAsync<User>(
            "user-service", "slow", new { userId = "1" }, new CallOptions { CancellationToken = cts.Token }).WaitAsync(Patience));

        Assert.Equal(0, order.GetStatus().PendingRequests);
    }

    [Fact]
    public async Task A_duplicate_service_name_is_refused_with_CONNECTION_FAILED_and_the_gateways_message()
    {
        await ConnectedClient("user-service");
        var second = NewClient("user-service");

        var error = await Fails(second.ConnectAsync());

        Assert.Equal(ErrorCodes.ConnectionFailed, error.Code);
        Assert.Equal("Service 'user-service' is already registered", error.Message);
        Assert.False(second.IsConnected);
    }

    [Fact]
    public async Task Connecting_where_no_gateway_listens_fails_with_CONNECTION_FAILED()
    {
        var client = NewClient("lonely", o => o with { GatewayPath = Gateway.UnusedPath });

        var error = await Fails(client.ConnectAsync());

        Assert.Equal(ErrorCodes.ConnectionFailed, error.Code);
    }

    [Fact]
    public async Task Calling_before_connecting_fails_with_NOT_CONNECTED()
    {
        var client = NewClient("early");

        var error = await Fails(client.CallAsync<User>("user-service", "getUserById"));

        Assert.Equal(ErrorCodes.NotConnected, error.Code);
    }

    [Fact]
    public async Task Methods_registered_after_connecting_are_served_at_once_and_unregistered_ones_are_not()
    {
        var user = await ConnectedClient("user-service");
        var order = await ConnectedClient("order-service");

        user.RegisterMethod("echo", (p, _) => Task.FromResult<object?>(p));
        var echoed = await order.CallAsync<JsonElement>("user-service", "echo", new { a = 1 }).WaitAsync(Patience);
        Assert.Equal(1, echoed.GetProperty("a").GetInt32());
        Assert.Contains("echo", user.GetRegisteredMethods());

        Assert.True(user.UnregisterMethod("echo"));
        var error = await Fails(order.CallAsync<JsonElement>("user-service", "echo", new { a = 1 }));
        Assert.Equal(ErrorCodes.MethodNotFound, error.Code);
    }

    [Fact]
    public async Task Disconnecting_fails_pending_calls_with_NOT_CONNECTED_and_reports_the_status()
    {
        await ConnectedClient("user-service", RegisterUsers);
        var order = await ConnectedClient("order-service");
        var status = order.GetStatus();
        Assert.True(status.Connected);
        Assert.True(status.Registered);
        Assert.Equal("order-service", status.ServiceName);

        var pending = order.CallAsync<User>("user-service", "slow", new { userId = "1" });
        await AwaitConditionAsync(() => Task.FromResult(order.GetStatus().PendingRequests == 1), Patience);
        await order.DisconnectAsync().WaitAsync(Patience);

        var error = await Fails(pending);
        Assert.Equal(ErrorCodes.NotConnected, error.Code);
        Assert.False(order.IsConnected);
        Assert.Equal(0, order.GetStatus().PendingRequests);
    }

    [Fact]
    public async Task A_client_connects_again_after_disconnecting()
    {
        await ConnectedClient("user-service", RegisterUsers);
        var order = await ConnectedClient("order-service");

        await order.DisconnectAsync().WaitAsync(Patience);

        // The gateway forgets the name once it has seen the socket close; until then the name is taken.
        await AwaitConditionAsync(async () => !(await Gateway.Gateway.GetConnectedServicesAsync()).Contains("order-service"), Patience);
        await order.ConnectAsync().WaitAsync(Patience);

        Assert.True(order.IsConnected);
        Assert.Equal("Ada", (await order.CallAsync<User>("user-service", "getUserById", new { userId = "1" }).WaitAsync(Patience))!.Name);
    }

    [Fact]
    public async Task CallWithRetry_retries_transient_failures_but_not_METHOD_NOT_FOUND()
    {
        var attempts = 0;
        var user = await ConnectedClient("user-service", c => c.RegisterMethod<object, int>("flaky", (_, _) =>
            Interlocked.Increment(ref attempts) < 3
                ? throw new BroException(ErrorCodes.InternalError, "try again")
                : Task.FromResult(attempts)));
        var order = await ConnectedClient("order-service");

        var result = await order.CallWithRetryAsync<int>("user-service", "flaky", maxRetries: 3, retryDelay: TimeSpan.FromMilliseconds(10))
            .WaitAsync(Patience);
        Assert.Equal(3, result);

        var notFound = new List<Events.ResponseReceivedEventArgs>();
        order.ResponseReceived += (_, e) => { lock (notFound) notFound.Add(e); };
        var error = await Fails(order.CallWithRetryAsync<int>("user-service", "missing", maxRetries: 3, retryDelay: TimeSpan.FromMilliseconds(10)));
        Assert.Equal(ErrorCodes.MethodNotFound, error.Code);
        lock (notFound) Assert.Single(notFound);
    }
}
