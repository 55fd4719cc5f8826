using Akka.Actor;

namespace Bro.Bench;

/// <summary>
/// The far end of <see cref="RemotingRoundTrip"/>, in its own process: an ActorSystem with
/// remoting on an ephemeral loopback port whose <c>echo</c> actor tells every message back to its
/// sender. Prints <c>ready </c> and the echo's path once listening, and runs until stdin closes.
/// </summary>
internal static class RemoteEchoRole
{
    /// <summary>What the ready line starts with; the echo actor's full path follows it.</summary>
    public const string ReadyPrefix = "ready ";

    public static async Task<int> RunAsync()
    {
        var system = ActorSystem.Create("remote-echo", RemotingRoundTrip.SystemConfig);
        var echo = system.ActorOf(Props.Create(() => new EchoActor()), "echo");
        // The path with the port bound, which the prober needs: echo.Path alone has no address.
        Console.WriteLine(ReadyPrefix + echo.Path.ToStringWithAddress(((ExtendedActorSystem)system).Provider.DefaultAddress));
        await Console.In.ReadToEndAsync();
        await system.Terminate();
        return 0;
    }

    /// <summary>Sends each message back to whoever sent it, unchanged.</summary>
    private sealed class EchoActor : ReceiveActor
    {
        public EchoActor() => ReceiveAny(message => Sender.Tell(message, Self));
    }
}
