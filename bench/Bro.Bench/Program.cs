using Bro.Bench;

// One executable, three roles: the driver (default) runs the scenarios and starts the other
// processes; `callee` is a service answering echo/noop/work/nested; `relay` is the floor.
var options = BenchOptions.Parse(args);
return options.Role switch
{
    "driver" when options.Driver is "grpc" or "compare" => await Bro.Bench.Compare.CompareDriver.RunAsync(options),
    "driver" => await BenchDriver.RunAsync(options),
    "callee" => await CalleeRole.RunAsync(options),
    "relay" => await FloorRelay.RunAsync(options),
    "grpc-server" => await Bro.Bench.Grpc.GrpcServerRole.RunAsync(options),
    _ => Fail($"unknown role {options.Role}"),
};

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}
