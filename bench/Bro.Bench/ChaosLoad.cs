using Bro.Protocol;

namespace Bro.Bench;

/// <summary>
/// The chaos callers' loops, each until cancelled. A loop stops making calls when cancelled; the
/// calls it has in flight are left to their answers (the run waits for them, then counts what
/// never came as lost). Each yields first, so starting one costs its starter nothing (a burst's
/// first 64 MiB are encoded on the loop's own time, not before the next loop starts).
/// </summary>
internal static class ChaosLoad
{
    /// <summary>Frames in one burst, and the size of each one's params.</summary>
    public const int BurstCalls = 64;

    public const int BurstBytes = 1024 * 1024;

    /// <summary>Keeps <paramref name="inFlight"/> calls from the mix outstanding.</summary>
    public static async Task PipelinedAsync(ChaosCaller caller, int inFlight, CancellationToken cancellation)
    {
        await Task.Yield();
        // Not disposed: answers still to come release it after the loop has ended.
        var credits = new SemaphoreSlim(inFlight, inFlight);
        try
        {
            while (true)
            {
                await credits.WaitAsync(cancellation);
                var (to, method, parameters) = ChaosMix.Next(caller.Encoding);
                _ = caller.CallAsync(to, method, parameters, ChaosMix.Deadline()).ContinueWith(_ => credits.Release(), TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One call at a time from the mix.</summary>
    public static async Task SequentialAsync(ChaosCaller caller, CancellationToken cancellation)
    {
        await Task.Yield();
        while (!cancellation.IsCancellationRequested)
        {
            var (to, method, parameters) = ChaosMix.Next(caller.Encoding);
            await caller.CallAsync(to, method, parameters, ChaosMix.Deadline());
        }
    }

    /// <summary>Every <paramref name="every"/>, <see cref="BurstCalls"/> pipelined 1 MiB echoes to each target in turn.</summary>
    public static async Task BurstsAsync(ChaosCaller caller, TimeSpan every, IReadOnlyList<string> targets, Action<string> onRound, CancellationToken cancellation)
    {
        await Task.Yield();
        var parameters = RawValue.FromObject(new ChaosParams(Pad: new string('x', BurstBytes)), caller.Encoding);
        for (var round = 0; !cancellation.IsCancellationRequested; round++)
        {
            var target = targets[round % targets.Count];
            onRound(target);
            await Task.WhenAll(Enumerable.Range(0, BurstCalls).Select(_ => caller.CallAsync(target, "echo", parameters, TimeSpan.FromSeconds(2))));
            await Pause(every, cancellation);
        }
    }

    /// <summary>
    /// Every <paramref name="every"/>, more sleeping calls at once than the gateway's
    /// max-calls-in-flight: the ones over the cap are answered MAX_IN_FLIGHT_EXCEEDED.
    /// </summary>
    public static async Task GreedyAsync(ChaosCaller caller, int calls, TimeSpan every, Action onRound, CancellationToken cancellation)
    {
        await Task.Yield();
        var parameters = RawValue.FromObject(new ChaosParams(300), caller.Encoding);
        while (!cancellation.IsCancellationRequested)
        {
            onRound();
            await Task.WhenAll(Enumerable.Range(0, calls).Select(_ => caller.CallAsync(ChaosMix.Flaky, "sleep", parameters, TimeSpan.FromSeconds(2))));
            await Pause(every, cancellation);
        }
    }

    /// <summary>
    /// A caller that closes its own connection abruptly, calls in flight, after 1-4 s of
    /// pipelined calls, and comes back under the same name: its calls end CONNECTION_LOST on its
    /// side, and the gateway must drop their answers, which have no caller any more.
    /// </summary>
    public static async Task QuitterAsync(Func<CancellationToken, Task<ChaosCaller>> connect, int inFlight, Action onQuit, CancellationToken cancellation)
    {
        await Task.Yield();
        while (!cancellation.IsCancellationRequested)
        {
            ChaosCaller caller;
            try
            {
                caller = await connect(cancellation);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            using (var session = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
            {
                session.CancelAfter(TimeSpan.FromMilliseconds(Random.Shared.Next(1_000, 4_000)));
                await PipelinedAsync(caller, inFlight, session.Token);
            }

            caller.Dispose();
            onQuit();
        }
    }

    /// <summary>
    /// Two callers whose books run in step, so round k's two calls have the same id: the first
    /// asks <paramref name="service"/> for a sleep longer than its deadline (the gateway answers it
    /// DEADLINE_EXCEEDED, the service answers it later anyway); the second, once the first has
    /// its answer, sends the same id to the same service, sleeping as long, so it is still in
    /// flight when the first call's late RESPONSE comes. That RESPONSE must be dropped, not taken
    /// for the second call's answer.
    /// </summary>
    public static async Task StaleIdsAsync(ChaosCaller first, ChaosCaller second, string service, CancellationToken cancellation)
    {
        await Task.Yield();
        for (var round = 0; !cancellation.IsCancellationRequested; round++)
        {
            await first.CallAsync(service, "sleep", RawValue.FromObject(new ChaosParams(1_500, Pad: $"first {round}"), first.Encoding),
                TimeSpan.FromMilliseconds(300));
            await second.CallAsync(service, "sleep", RawValue.FromObject(new ChaosParams(1_500, Pad: $"second {round}"), second.Encoding),
                TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>Every <paramref name="every"/>, <paramref name="act"/>: a kill, an abrupt close, a pause in reading.</summary>
    public static async Task PeriodicallyAsync(TimeSpan every, Func<Task> act, CancellationToken cancellation)
    {
        while (await Pause(every * (0.75 + Random.Shared.NextDouble() / 2), cancellation))
            await act();
    }

    /// <summary>Waits; false once cancelled.</summary>
    public static async Task<bool> Pause(TimeSpan pause, CancellationToken cancellation)
    {
        try
        {
            await Task.Delay(pause, cancellation);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
