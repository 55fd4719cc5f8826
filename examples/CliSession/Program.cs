using Bro.Client;
using Bro.Examples.CliSession;
using Bro.Examples.Shared;
using Bro.Protocol;

// The gateway at BRO_SOCKET, else an in-process one of our own (examples/README.md): `bro`
// asks any gateway about itself through the gateway's built-in service, `bro`.
await using var gateway = await ExampleGateway.FindOrStartAsync();

await using var users = Client("user-service");
users.RegisterMethod<GetUser, User>("getUserById", (request, _) => request.Id switch
{
    1 => Task.FromResult(new User(1, "Ada Lovelace")),
    2 => Task.FromResult(new User(2, "Alan Turing")),
    _ => throw new BroException("USER_NOT_FOUND", $"User {request.Id} not found"),
});
await using var orders = Client("order-service");
await users.ConnectAsync();
await orders.ConnectAsync();

var bro = new BroConsole(gateway.SocketPath);
await bro.RunAsync("services");
await bro.RunAsync("call", "user-service", "getUserById", """{"id":1}""");
await bro.RunAsync("call", "user-service", "getUserById", """{"id":0}""");
await bro.MonitorAsync(() => orders.CallAsync<User>("user-service", "getUserById", new GetUser(2)));
await bro.RunAsync("status");

BroClient Client(string name) => new(new BroClientOptions { ServiceName = name, GatewayPath = gateway.SocketPath });

