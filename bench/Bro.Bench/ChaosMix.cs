using Bro.Protocol;

namespace Bro.Bench;

/// <summary>
/// What the chaos callers ask for, drawn at random per call: which service and method, how long
/// the callee takes, and a deadline between 50 ms and 2 s. Some calls can only fail (a service
/// that never exists, a sleep longer than any deadline, a handler error) so every code the
/// gateway owes shows up.
/// </summary>
internal static class ChaosMix
{
    /// <summary>The child process killed with SIGKILL (MessagePack, a pool of three).</summary>
    public const string Echo = "chaos-echo";

    /// <summary>In the driver, JSON, two connections closed abruptly now and then.</summary>
    public const string Flaky = "chaos-flaky";

    /// <summary>In the driver, MessagePack: calls <see cref="Echo"/> or <see cref="Flaky"/> before answering.</summary>
    public const string Nested = "chaos-nested";

    /// <summary>In the driver, JSON: stops reading for seconds at a time.</summary>
    public const string Sink = "chaos-sink";

    /// <summary>In the driver, JSON, one connection: the stale-id pair's target (see <see cref="ChaosLoad.StaleIdsAsync"/>).</summary>
    public const string Stale = "chaos-stale";

    /// <summary>Never registered: SERVICE_NOT_FOUND.</summary>
    public const string Ghost = "chaos-ghost";

    public static TimeSpan Deadline() => TimeSpan.FromMilliseconds(Random.Shared.Next(50, 2_001));

    /// <summary>One call's target, method and params, in <paramref name="encoding"/>.</summary>
    public static (string To, string Method, RawValue Params) Next(BroEncoding encoding)
    {
        var roll = Random.Shared.Next(100);
        var (to, method, parameters) = roll switch
        {
            < 25 => (Echo, "echo", new ChaosParams(Pad: "ping")),
            < 40 => (Echo, "sleep", new ChaosParams(Random.Shared.Next(0, 50))),
            < 58 => (Flaky, "sleep", new ChaosParams(Random.Shared.Next(0, 200))),
            < 73 => (Nested, "nested", new ChaosParams(Random.Shared.Next(0, 100), Random.Shared.Next(2) == 0 ? Echo : Flaky, "sleep")),
            < 81 => (Sink, "echo", new ChaosParams(Pad: "ping")),
            < 86 => (Ghost, "echo", new ChaosParams()),
            < 91 => (Flaky, "fail", new ChaosParams()),
            // Longer than any deadline: only the gateway's DEADLINE_EXCEEDED can end it.
            _ => (Echo, "sleep", new ChaosParams(3_000)),
        };
        return (to, method, RawValue.FromObject(parameters, encoding));
    }
}
