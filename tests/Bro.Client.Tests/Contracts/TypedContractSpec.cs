using System.Collections.Concurrent;
using Bro.Client.Contracts;
using Bro.Client.Tests.Support;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests.Contracts;

/// <summary>
/// Typed contracts end to end: proxies and registrations written by the source generator (which
/// reaches this project through its reference to Bro.Client alone), against a real gateway.
/// </summary>
public sealed class TypedContractSpec(ITestOutputHelper output) : ClientSpec(output)
{
    public sealed record GetOrder(string OrderId);

    public sealed record Order(string OrderId, User Customer);

    public sealed record GetUser(string UserId);

    public sealed record User(string Id, string Name, Role Role);

    public sealed record GetRole(string UserId);

    public sealed record Role(string Name, string[] Chain);

    [BroService("order-service")]
    public interface IOrderService
    {
        ValueTask<Order> GetOrderAsync(GetOrder request, CancellationToken ct = default);

        Task ShipAsync(GetOrder request);
    }

    [BroService("user-service")]
    public interface IUserService
    {
        [BroMethod("getUserById")]
        Task<User> FetchUserAsync(GetUser request, CancellationToken ct = default);
    }

    [BroService("role-service")]
    public interface IRoleService
    {
        Task<Role> GetRoleAsync(GetRole request, CancellationToken ct = default);

        ValueTask<int> CountRolesAsync();
    }

    /// <summary>The user service's admin side, which user-service does not serve.</summary>
    [BroService("user-service")]
    public interface IUserAdmin
    {
        Task DeleteUserAsync(GetUser request);
    }

    [BroService("slow-service")]
    public interface ISlowService
    {
        Task<string> WaitAsync(CancellationToken ct);
    }

    [Theory]
    [InlineData(BroSerializer.Json)]
    [InlineData(BroSerializer.MessagePack)]
    public async Task Typed_calls_chain_order_to_user_to_role_each_implementation_calling_the_next_through_its_proxy(
        BroSerializer serializer)
    {
        Func<BroClientOptions, BroClientOptions> encoding = options => options with { Serializer = serializer };
        var orderService = new OrderService();
        var roles = await ConnectedClient("role-service", c => c.Serve<IRoleService>(new RoleService()), encoding);
        var users = await ConnectedClient(
            "user-service", c => c.Serve<IUserService>(new UserService(c.GetService<IRoleService>())), encoding);
        await ConnectedClient("order-service", c =>
        {
            orderService.Users = c.GetService<IUserService>();
            c.Serve<IOrderService>(orderService);
        }, encoding);
        var shop = await ConnectedClient("shop", configure: encoding);
        var orders = shop.GetService<IOrderService>();

        var order = await orders.GetOrderAsync(new GetOrder("o-1")).AsTask().WaitAsync(Patience);

        Assert.Equal("o-1", order.OrderId);
        Assert.Equal("u-1", order.Customer.Id);
        Assert.Equal("Ada Lovelace", order.Customer.Name);
        Assert.Equal("admin", order.Customer.Role.Name);
        Assert.Equal(["shop", "order-service", "user-service", "role-service"], order.Customer.Role.Chain);

        // A result-less method completes once the callee's handler has run.
        await orders.ShipAsync(new GetOrder("o-2")).WaitAsync(Patience);
        Assert.Equal(["o-2"], orderService.Shipped);

        // No request parameter: nothing is sent, the result still comes back typed.
        Assert.Equal(2, await shop.GetService<IRoleService>().CountRolesAsync().AsTask().WaitAsync(Patience));

        // The wire names are the default rule's and [BroMethod]'s, so the string form reaches them too.
        Assert.Equal(["countRoles", "getRole"], roles.GetRegisteredMethods());
        Assert.Equal(["getUserById"], users.GetRegisteredMethods());
        var guest = await shop.CallAsync<User>("user-service", "getUserById", new { userId = "u-2" }).WaitAsync(Patience);
        Assert.Equal("guest", guest!.Role.Name);
    }

    [Fact]
    public async Task A_typed_call_to_a_method_the_service_did_not_register_fails_with_METHOD_NOT_FOUND()
    {
        await ConnectedClient("user-service", c => c.Serve<IUserService>(new UserService(c.GetService<IRoleService>())));
        var admin = await ConnectedClient("admin");

        var error = await Fails(admin.GetService<IUserAdmin>().DeleteUserAsync(new GetUser("u-1")));

        Assert.Equal(ErrorCodes.MethodNotFound, error.Code);
    }

    [Fact]
    public async Task Cancelling_the_token_given_to_a_typed_proxy_cancels_the_call()
    {
        var slow = new SlowService();
        await ConnectedClient("slow-service", c => c.Serve<ISlowService>(slow));
        var caller = await ConnectedClient("impatient");
        using var cancellation = new CancellationTokenSource();

        var call = caller.GetService<ISlowService>().WaitAsync(cancellation.Token);
        await slow.Started.Task.WaitAsync(Patience);
        Assert.False(call.IsCompleted, "the handler has not answered, so only the token can end the call");
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
        Assert.Equal(0, caller.GetStatus().PendingRequests);
        slow.Release();
    }

    [Fact]
    public void GetService_of_an_interface_without_generated_code_names_the_type()
    {
        var client = NewClient("anyone");

        var error = Assert.Throws<InvalidOperationException>(() => client.GetService<IDisposable>());

        Assert.Contains("No generated Bro contract for System.IDisposable", error.Message);
    }

    [Fact]
    public void Serve_refuses_the_contract_of_another_service()
    {
        var client = NewClient("order-service");

        var error = Assert.Throws<InvalidOperationException>(() => client.Serve<IRoleService>(new RoleService()));

        Assert.Contains("'role-service'", error.Message);
        Assert.Contains("'order-service'", error.Message);
        Assert.Empty(client.GetRegisteredMethods());
    }

    private sealed class OrderService : IOrderService
    {
        private readonly ConcurrentQueue<string> _shipped = new();

        public IUserService Users { get; set; } = null!;

        public IReadOnlyCollection<string> Shipped => _shipped;

        public async ValueTask<Order> GetOrderAsync(GetOrder request, CancellationToken ct) =>
            new(request.OrderId, await Users.FetchUserAsync(new GetUser("u-1"), ct));

        public Task ShipAsync(GetOrder request)
        {
            _shipped.Enqueue(request.OrderId);
            return Task.CompletedTask;
        }
    }

    private sealed class UserService(IRoleService roles) : IUserService
    {
        public async Task<User> FetchUserAsync(GetUser request, CancellationToken ct) =>
            new(request.UserId, request.UserId == "u-1" ? "Ada Lovelace" : "Charles Babbage",
                await roles.GetRoleAsync(new GetRole(request.UserId), ct));
    }

    private sealed class RoleService : IRoleService
    {
        public Task<Role> GetRoleAsync(GetRole request, CancellationToken ct) =>
            Task.FromResult(new Role(request.UserId == "u-1" ? "admin" : "guest", [.. BroClient.CurrentContext!.Chain]));

        public ValueTask<int> CountRolesAsync() => ValueTask.FromResult(2);
    }

    private sealed class SlowService : ISlowService
    {
        private readonly TaskCompletionSource<string> _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult("released");

        public Task<string> WaitAsync(CancellationToken ct)
        {
            Started.TrySetResult();
            return _gate.Task;
        }
    }
}
