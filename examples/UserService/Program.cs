using Bro.Client;
using Bro.Examples.Shared;
using Bro.Examples.UserService;
using Bro.Protocol;

// The gateway at BRO_SOCKET, else an in-process one of our own (examples/README.md).
await using var gateway = await ExampleGateway.FindOrStartAsync();

// user-service registers its methods by name: any client (Node ipc-bro, `bro call`) can call them.
await using var users = new BroClient(new BroClientOptions { ServiceName = "user-service", GatewayPath = gateway.SocketPath });
users.RegisterMethod<GetUserById, User>("getUserById", (request, _) => Task.FromResult(Users.Find(request.Id)));
users.RegisterMethod<object?, IReadOnlyList<User>>("listUsers", (_, _) => Task.FromResult(Users.List()));
await users.ConnectAsync();
Console.WriteLine($"user-service registered: {string.Join(", ", users.GetRegisteredMethods())}");

// Any other service calls it through the gateway.
await using var caller = new BroClient(new BroClientOptions { ServiceName = "user-service-demo", GatewayPath = gateway.SocketPath });
await caller.ConnectAsync();

var ada = await caller.CallAsync<User>("user-service", "getUserById", new GetUserById(1));
Console.WriteLine($"getUserById {{\"id\":1}} -> {ada}");
var all = await caller.CallAsync<User[]>("user-service", "listUsers");
Console.WriteLine($"listUsers -> {string.Join(", ", all!.Select(u => u.Name))}");
try
{
    await caller.CallAsync<User>("user-service", "getUserById", new GetUserById(0));
}
catch (BroException e)
{
    // The handler's exception crossed the gateway as an error RESPONSE with its code.
    Console.WriteLine($"getUserById {{\"id\":0}} -> {e.Code}: {e.Message}");
}
