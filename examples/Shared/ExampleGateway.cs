using Akka.Actor;
using Akka.Configuration;
using Bro.Configuration;
using Bro.Hosting;

namespace Bro.Examples.Shared;

/// <summary>
/// The one convention of the examples: a gateway already running at <c>BRO_SOCKET</c> is used;
/// without <c>BRO_SOCKET</c> an example starts an in-process gateway of its own on a fresh socket
/// path, so it runs alone.
/// </summary>
public sealed class ExampleGateway : IAsyncDisposable
{
    private readonly BroGateway? _own;
    private readonly ActorSystem? _system;

    private ExampleGateway(string socketPath, BroGateway? own = null, ActorSystem? system = null)
    {
        SocketPath = socketPath;
        _own = own;
        _system = system;
    }

    /// <summary><c>BRO_SOCKET</c>, the socket of a gateway someone else runs; <c>null</c> when unset.</summary>
    public static string? GivenSocket =>
        Environment.GetEnvironmentVariable("BRO_SOCKET") is { Length: > 0 } path ? path : null;

    /// <summary>
    /// Where an example that is a gateway listens: <c>BRO_SOCKET</c>, else a path of this process
    /// in the temp directory (so two examples never fight over <c>/tmp/bro-gateway.sock</c>).
    /// </summary>
    public static string ListenPath =>
        GivenSocket ?? Path.Combine(Path.GetTempPath(), $"bro-example-{Environment.ProcessId}.sock");

    /// <summary>The socket the example's clients connect to.</summary>
    public string SocketPath { get; }

    /// <summary>The gateway at <c>BRO_SOCKET</c>, or a new in-process one listening at <see cref="ListenPath"/>.</summary>
    public static async Task<ExampleGateway> FindOrStartAsync()
    {
        if (GivenSocket is { } given)
        {
            Console.WriteLine($"Using the gateway at {given} (BRO_SOCKET)");
            return new ExampleGateway(given);
        }

        // Its actor system logs warnings and errors only: Akka's informational lines (shutting down,
        // dead letters of closed connections) would hide what the example prints.
        var system = ActorSystem.Create("bro-gateway",
            ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(BroConfig.Default));
        var gateway = new BroGateway(GatewaySettings.Default with { SocketPath = ListenPath }, system);
        await gateway.StartAsync();
        Console.WriteLine($"Started an in-process gateway at {ListenPath} (set BRO_SOCKET to use a running one)");
        return new ExampleGateway(ListenPath, gateway, system);
    }

    /// <summary>Stops the in-process gateway, if this example started one (its socket file goes with it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_own is null)
            return;
        await _own.DisposeAsync();
        // A gateway given an actor system leaves it running: ending it is ours to do.
        await _system!.Terminate();
    }
}
