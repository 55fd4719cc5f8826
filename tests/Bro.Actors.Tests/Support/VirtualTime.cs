namespace Bro.Actors.Tests.Support;

/// <summary>HOCON that swaps in the TestKit's virtual-time scheduler.</summary>
internal static class VirtualTime
{
    public const string Config = """
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        akka.loglevel = DEBUG
        akka.actor.debug.unhandled = on
        """;
}
