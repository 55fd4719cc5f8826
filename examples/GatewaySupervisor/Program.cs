using System.Threading.Channels;
using Bro.Client;
using Bro.Examples.GatewaySupervisor;
using Bro.Examples.Shared;

// This example runs the gateway: at BRO_SOCKET, else at a path of its own (examples/README.md).
await using var supervisor = new Supervisor(ExampleGateway.ListenPath);
await supervisor.StartAsync();

// Two services. Each reconnects by itself when the gateway goes (AutoReconnect, on by default),
// retrying after ReconnectDelay, doubled each attempt, and registers again.
var registrations = Channel.CreateUnbounded<string>();
await using var users = Client("user-service");
users.RegisterMethod<int, string>("getUserName", (id, _) => Task.FromResult(id == 1 ? "Ada Lovelace" : "nobody"));
await using var orders = Client("order-service");
foreach (var client in new[] { users, orders })
{
    client.Registered += (_, _) => registrations.Writer.TryWrite($"{client.ServiceName} registered");
    client.Disconnected += (_, e) => Console.WriteLine($"{client.ServiceName} lost the gateway ({e.Reason}); reconnecting: {e.WillReconnect}");
    await client.ConnectAsync();
}

await RegisteredAsync();
Console.WriteLine($"before the crash: getUserName 1 -> {await orders.CallAsync<string>("user-service", "getUserName", 1)}");

supervisor.Crash();
await RegisteredAsync();   // both came back by themselves; nothing here reconnects them
Console.WriteLine($"after the restart: getUserName 1 -> {await orders.CallAsync<string>("user-service", "getUserName", 1)}");

BroClient Client(string name) => new(new BroClientOptions
{
    ServiceName = name,
    GatewayPath = supervisor.SocketPath,
    ReconnectDelay = TimeSpan.FromMilliseconds(100),   // default 5 s; short for the demo
});

// Prints the next registration of each of the two clients.
async Task RegisteredAsync()
{
    for (var i = 0; i < 2; i++)
        Console.WriteLine(await registrations.Reader.ReadAsync());
}
