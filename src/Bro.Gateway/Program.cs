using System.CommandLine;
using Bro.Gateway;

// The `bro` console: `bro serve` (also `bro` alone) runs a gateway; the other subcommands ask a
// running gateway about itself, through its built-in service, over its socket.

var cli = BroCommandLine.Create(Environment.GetEnvironmentVariables());
var result = cli.Command.Parse(args);
if (result.Errors.Count > 0)
{
    foreach (var error in result.Errors)
        Console.Error.WriteLine($"bro: {BroCommandLine.Describe(error)}");
    // The usage of the command at fault, on stderr with the errors.
    var command = result.CommandResult.Command;
    cli.Command.Parse(command == cli.Command ? ["--help"] : [command.Name, "--help"])
        .Invoke(new InvocationConfiguration { Output = Console.Error });
    return 2;
}

// Signals are the commands' own: serve shuts down through CoordinatedShutdown, monitor stops polling.
return await result.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
