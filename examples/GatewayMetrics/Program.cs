using Bro.Client;
using Bro.Configuration;
using Bro.Examples.GatewayMetrics;
using Bro.Examples.Shared;
using Bro.Hosting;
using Bro.Protocol;

// The listener first: the gateway creates its meter when it starts.
using var metrics = new GatewayMetricsReader();

// This example is a gateway: it listens at BRO_SOCKET, else at a path of its own (examples/README.md).
await using var gateway = new BroGateway(GatewaySettings.Default with { SocketPath = ExampleGateway.ListenPath });
await gateway.StartAsync();
Console.WriteLine($"Gateway listening on {gateway.Settings.SocketPath}");

await using var echo = Client("echo-service");
echo.RegisterMethod<string, string>("echo", (text, _) => Task.FromResult(text));
await using var caller = Client("caller");
await Task.WhenAll(echo.ConnectAsync(), caller.ConnectAsync());

for (var i = 0; i < 5; i++)
    await caller.CallAsync<string>("echo-service", "echo", $"hello {i}");
try
{
    // Answered by the gateway itself: counted under bro.gateway.errors by its code.
    await caller.CallAsync<string>("missing-service", "echo", "anyone?");
}
catch (BroException e)
{
    Console.WriteLine($"missing-service.echo -> {e.Code}");
}

Console.WriteLine("Bro.Gateway meter:");
metrics.Print();

BroClient Client(string name) => new(new BroClientOptions { ServiceName = name, GatewayPath = gateway.Settings.SocketPath });
