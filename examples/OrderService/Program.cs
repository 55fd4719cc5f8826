using Bro.Client;
using Bro.Examples.OrderService;
using Bro.Examples.Shared;
using Bro.Protocol;

// The gateway at BRO_SOCKET, else an in-process one of our own (examples/README.md).
await using var gateway = await ExampleGateway.FindOrStartAsync();

// Three services, each its own client, as if each were its own process (see examples/UserService
// and examples/PaymentService for fuller ones). Every handler prints the context it was called
// with: one root for the whole chain, the depth and the chain of services it passed through.
await using var users = Client("user-service");
users.RegisterMethod<GetUserById, User>("getUserById", (request, context) =>
{
    Show("user-service.getUserById", context);
    return request.Id == 1 ? Task.FromResult(new User(1, "Ada Lovelace")) : throw new BroException("USER_NOT_FOUND", $"User {request.Id} not found");
});

await using var payments = Client("payment-service");
payments.RegisterMethod<PaymentRequest, Payment>("processPayment", (request, context) =>
{
    Show("payment-service.processPayment", context);
    return Task.FromResult(new Payment($"txn-{request.OrderId}", "approved"));
});

// order-service makes nested calls from its handler: they carry the handler's context on by
// themselves (same root, depth + 1, deadline never later than the caller's).
await using var orders = Client("order-service");
var nextOrderId = 1000;
orders.RegisterMethod<CreateOrder, Order>("createOrder", async (request, context) =>
{
    Show("order-service.createOrder", context);
    var user = await orders.CallAsync<User>("user-service", "getUserById", new GetUserById(request.UserId));
    var orderId = Interlocked.Increment(ref nextOrderId);
    var payment = await orders.CallAsync<Payment>("payment-service", "processPayment", new PaymentRequest(orderId, request.Total, "EUR"));
    return new Order(orderId, user!.Name, request.Items.Length, request.Total, payment!.TransactionId);
});

await using var shop = Client("shop");
foreach (var client in new[] { users, payments, orders, shop })
    await client.ConnectAsync();

var order = await shop.CallAsync<Order>("order-service", "createOrder", new CreateOrder(1, ["book", "pen"], 42.50m));
Console.WriteLine($"createOrder -> order {order!.OrderId} for {order.Customer}: {order.Items} items, {order.Total} EUR, paid by {order.TransactionId}");

try
{
    await shop.CallAsync<Order>("order-service", "createOrder", new CreateOrder(7, ["lamp"], 19.99m));
}
catch (BroException e)
{
    // user-service's error went up the chain unchanged: order-service did not catch it.
    Console.WriteLine($"createOrder for user 7 -> {e.Code}: {e.Message}");
}

BroClient Client(string name) => new(new BroClientOptions { ServiceName = name, GatewayPath = gateway.SocketPath });

static void Show(string handler, CallContext context) =>
    Console.WriteLine($"{handler,-31} root {context.Root}  depth {context.Depth}  chain {string.Join(" -> ", context.Chain)}");
