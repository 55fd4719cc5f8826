using System.Runtime.InteropServices;
using Bro.Configuration;
using Bro.Examples.Shared;
using Bro.Hosting;

// This example is a gateway: it listens at BRO_SOCKET, else at a path of its own (examples/README.md).
var settings = GatewaySettings.Default with { SocketPath = ExampleGateway.ListenPath };
await using var gateway = new BroGateway(settings);

// Runs until Ctrl+C or SIGTERM (exit code 0), or until the gateway fails on its own (exit code 1,
// so that a supervisor such as systemd restarts it: see examples/GatewaySupervisor).
var exitCode = new TaskCompletionSource<int>();

// Events are attached before StartAsync: the gateway reports calls only if someone listens then.
gateway.ServiceRegistered += (_, e) => Console.WriteLine($"registered    {e.Name}: {string.Join(", ", e.Methods)}");
gateway.ServiceDisconnected += (_, e) => Console.WriteLine($"disconnected  {e.Name}: {e.Reason}");
gateway.CallRouted += (_, e) => Console.WriteLine($"call          {e.From} -> {e.To}.{e.Method} (depth {e.Depth})");
gateway.Faulted += (_, e) =>
{
    Console.Error.WriteLine($"Gateway failed: {e.Reason}");
    exitCode.TrySetResult(1);
};

await gateway.StartAsync();
Console.WriteLine($"Gateway listening on {settings.SocketPath}; Ctrl+C stops it. Try, in another shell:");
Console.WriteLine($"  BRO_SOCKET={settings.SocketPath} dotnet run --project examples/UserService");

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
if (await exitCode.Task == 0)
{
    var status = await gateway.GetStatusAsync();
    Console.WriteLine($"Stopping after {status.CallsRouted} calls routed");
    await gateway.StopAsync();   // removes the socket file; calls still in flight get CONNECTION_LOST
}

return await exitCode.Task;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;   // the process ends once the gateway has stopped, not now
    exitCode.TrySetResult(0);
}
