using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Bro.Cli;
using Bro.Configuration;
using Bro.Gateway;
using Bro.Transport;

// The `bro` console: one gateway process, configured from the command line, the environment,
// a HOCON file and the embedded defaults, shut down through CoordinatedShutdown.

// Socket completions run on the socket engine's own threads instead of being queued to the
// thread pool: a routed frame is then read, routed and written on the thread that saw it
// arrive, with no thread-pool wakeup (measured in docs/bench-log.md: pipelined CPU per call
// -40%, sequential -35%). Safe here because nothing in this process blocks in a socket
// continuation (the gateway's read loops never wait on anything but the socket). It must be
// set before the first socket is created; an explicit setting in the environment wins.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

GatewayCommandLine commandLine;
try
{
    commandLine = GatewayCommandLine.Parse(args, Environment.GetEnvironmentVariables());
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"bro: {e.Message}");
    Console.Error.WriteLine(GatewayCommandLine.Usage);
    return 2;
}

if (commandLine.ShowHelp)
{
    Console.WriteLine(GatewayCommandLine.Usage);
    return 0;
}

Config config;
GatewaySettings settings;
try
{
    config = GatewayConfiguration.Load(commandLine);
    settings = GatewaySettings.Create(config);
}
catch (Exception e) when (e is ConfigurationException or IOException or FormatException)
{
    Console.Error.WriteLine($"bro: bad configuration: {e.Message}");
    return 2;
}

var system = ActorSystem.Create("bro", config);
var gateway = new BroGateway(settings, system);
gateway.ServiceRegistered += (_, e) => system.Log.Info(
    "Registered {0}{1} ({2} methods)", e.Name, e.PoolIndex is { } i ? $" pool connection {i}" : "", e.Methods.Count);
gateway.ServiceDisconnected += (_, e) => system.Log.Info("Disconnected {0}: {1}", e.Name, e.Reason);
// A gateway that stops on its own (its listener failed) ends the process with exit code 1, so a
// supervisor (systemd, a container runtime) restarts it instead of keeping a deaf process alive.
var exitCode = 0;
gateway.Faulted += (_, e) =>
{
    system.Log.Error("{0}", e.Reason);
    exitCode = 1;
    _ = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.UnknownReason.Instance);
};
if (settings.Debug)
    gateway.CallRouted += (_, e) => system.Log.Debug("CALL {0} -> {1}.{2} [{3}]", e.From, e.To, e.Method, e.RequestId);

try
{
    await gateway.StartAsync();
}
catch (UnixSocketBindException e)
{
    Console.Error.WriteLine($"bro: {e.Message}");
    await system.Terminate();
    return 1;
}

// Ctrl+C and SIGTERM both end in CoordinatedShutdown, whose first phase stops the gateway
// (unbinding removes the socket file) before the actor system terminates.
CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "stop-bro-gateway", async () =>
{
    await gateway.StopAsync();
    return Akka.Done.Instance;
});
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Shutdown);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Shutdown);

system.Log.Info("Bro gateway listening on {0}", settings.SocketPath);
await system.WhenTerminated;
return exitCode;

void Shutdown(PosixSignalContext context)
{
    // Keep the runtime from exiting before the shutdown phases ran.
    context.Cancel = true;
    _ = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
}
