using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;

namespace Bro.Bench;

/// <summary>
/// The Akka.Remote round trip on this machine, in milliseconds: the least a call crossing two
/// gateways pays for remoting, beside the loopback TCP round trip. Measured between two
/// ActorSystems (<c>provider = remote</c>, 127.0.0.1, ephemeral ports) in two processes: this one
/// and a <see cref="RemoteEchoRole"/> child, which sends every message back to its sender.
/// </summary>
internal sealed record RemotingRoundTrip(double P50Ms, double P90Ms)
{
    /// <summary>
    /// Both systems' configuration: remoting alone (no cluster), on an ephemeral loopback port,
    /// quiet, so the child's first output line is its ready line.
    /// </summary>
    public static Config SystemConfig { get; } = ConfigurationFactory.ParseString("""
        akka {
          actor.provider = remote
          remote {
            dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            # The child ends when the probe does; its disassociation is expected, not news.
            log-remote-lifecycle-events = off
          }
          loglevel = WARNING
          stdout-loglevel = WARNING
        }
        """);

    /// <summary>The message's size: about what a small CALL frame weighs.</summary>
    private const int MessageBytes = 100;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Starts the echo child, then sends <paramref name="warmUp"/> and then <paramref name="measured"/>
    /// round trips one after the other; the percentiles are over the measured ones. The warm-up
    /// also absorbs the association handshake and the JIT. Defaults: 1,000 and 5,000.
    /// </summary>
    public static async Task<RemotingRoundTrip> MeasureAsync(int warmUp = 1_000, int measured = 5_000)
    {
        await using var echo = ChildProcess.StartRole("remote-echo");
        await echo.ReadyAsync();
        var echoPath = echo.Output.First(l => l.StartsWith(RemoteEchoRole.ReadyPrefix, StringComparison.Ordinal))[RemoteEchoRole.ReadyPrefix.Length..];

        var system = ActorSystem.Create("remoting-probe", SystemConfig);
        try
        {
            var done = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            system.ActorOf(RoundTripActor.Props(system.ActorSelection(echoPath), warmUp, measured, done), "round-trips");
            var latencies = await done.Task.WaitAsync(Timeout);
            Array.Sort(latencies);
            return new RemotingRoundTrip(Percentile(latencies, 0.50), Percentile(latencies, 0.90));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"akka.remote round trip: {warmUp + measured} round trips to {echoPath} did not finish within {Timeout.TotalSeconds:N0} s");
        }
        finally
        {
            // This side goes first, so the child's stdin closing finds no association to report lost.
            await system.Terminate();
        }
    }

    private static double Percentile(long[] sorted, double p) =>
        Stopwatch.GetElapsedTime(0, sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))]).TotalMilliseconds;

    /// <summary>
    /// Resolves the echo, then keeps exactly one message in flight: each reply is timed and
    /// answered with the next message, so the figure is a round trip, never a queue.
    /// <code>
    /// Identifying --ActorIdentity(echo)--> Timing --last reply--> stopped (done completed)
    ///      \--ActorIdentity(null)--> stopped (done failed)
    /// </code>
    /// </summary>
    private sealed class RoundTripActor : ReceiveActor
    {
        private readonly byte[] _message = new byte[MessageBytes];
        private readonly long[] _latencies;
        private readonly int _warmUp;
        private readonly TaskCompletionSource<long[]> _done;
        private IActorRef _echo = ActorRefs.Nobody;
        private int _sent;
        private long _sentAt;

        public RoundTripActor(ActorSelection echo, int warmUp, int measured, TaskCompletionSource<long[]> done)
        {
            _warmUp = warmUp;
            _latencies = new long[measured];
            _done = done;
            echo.Tell(new Identify(null), Self);
            Identifying(echo);
        }

        public static Props Props(ActorSelection echo, int warmUp, int measured, TaskCompletionSource<long[]> done) =>
            Akka.Actor.Props.Create(() => new RoundTripActor(echo, warmUp, measured, done));

        private void Identifying(ActorSelection echo)
        {
            Receive<ActorIdentity>(identity =>
            {
                if (identity.Subject is not { } subject)
                {
                    _done.TrySetException(new InvalidOperationException($"akka.remote round trip: no actor at {echo.PathString}"));
                    Context.Stop(Self);
                    return;
                }

                _echo = subject;
                Become(Timing);
                SendNext();
            });
        }

        private void Timing()
        {
            Receive<byte[]>(_ =>
            {
                var elapsed = Stopwatch.GetTimestamp() - _sentAt;
                var measuredIndex = _sent - 1 - _warmUp;
                if (measuredIndex >= 0)
                    _latencies[measuredIndex] = elapsed;
                if (_sent == _warmUp + _latencies.Length)
                {
                    _done.TrySetResult(_latencies);
                    Context.Stop(Self);
                    return;
                }

                SendNext();
            });
        }

        private void SendNext()
        {
            _sent++;
            _sentAt = Stopwatch.GetTimestamp();
            _echo.Tell(_message, Self);
        }
    }
}
