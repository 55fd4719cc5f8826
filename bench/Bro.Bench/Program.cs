using Bro.Bench;

// One executable, several roles: the driver (default) runs the scenarios, or with --chaos the chaos
// run, or with --memory-burst the burst memory check, or with --driver grpc|compare the gRPC
// comparison, or with --driver federation calls across two clustered gateways, and starts the
// other processes; `callee` is a service answering
// echo/noop/work/nested; `chaos-callee` the chaos run's service killed with SIGKILL; `relay` is
// the floor; `grpc-server` the gRPC echo server; `remote-echo` the far end of the federation
// driver's Akka.Remote round trip.
var options = BenchOptions.Parse(args);
if (options.ListenTelemetry)
    Environment.SetEnvironmentVariable(ClientTelemetryListener.Variable, "1");
ClientTelemetryListener.StartIfAsked();
return options.Role switch
{
    "driver" when options.Chaos is not null => await ChaosRun.RunAsync(options),
    "driver" when options.MemoryBurst => await MemoryBurst.RunAsync(options),
    "driver" when options.Driver is "grpc" or "compare" => await Bro.Bench.Compare.CompareDriver.RunAsync(options),
    "driver" when options.Driver is "federation" => await FederationDriver.RunAsync(options),
    "driver" => await BenchDriver.RunAsync(options),
    "chaos-callee" => await ChaosCalleeRole.RunAsync(options),
    "callee" => await CalleeRole.RunAsync(options),
    "relay" => await FloorRelay.RunAsync(options),
    "grpc-server" => await Bro.Bench.Grpc.GrpcServerRole.RunAsync(options),
    "remote-echo" => await RemoteEchoRole.RunAsync(),
    _ => Fail($"unknown role {options.Role}"),
};

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}
