using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bro.Protocol;

namespace Bro.Bench;

/// <summary>
/// <c>--chaos &lt;duration&gt;</c>: one gateway process under everything at once for that long,
/// then an audit of every call. Callers (JSON and MessagePack, pipelined and sequential) call
/// services that are killed with SIGKILL (<see cref="ChaosMix.Echo"/>, a process of its own),
/// closed abruptly mid-call (<see cref="ChaosMix.Flaky"/>), stop reading
/// (<see cref="ChaosMix.Sink"/>) or call on with the context they received
/// (<see cref="ChaosMix.Nested"/>); a caller stops reading, one sends 1 MiB bursts, one more
/// calls at once than max-calls-in-flight, two share an id space (twins) and two send a late
/// call's id again (the stale-id pair); the <see cref="ChaosVandal"/> sends malformed frames
/// and plays strangers. Exit status 1 when a rule fails (see <see cref="Rules"/>).
/// </summary>
internal static class ChaosRun
{
    /// <summary>
    /// The gateway's config for the run: max-calls-in-flight low enough for the greedy caller to
    /// pass it (its 600 sleeping calls against 512), and slow-consumer-timeout shorter than the
    /// sink's 3 s pause during a burst aimed at it, so it is dropped as a slow consumer; the rest
    /// the defaults.
    /// </summary>
    private const string GatewayConfig = "bro.gateway {\n  max-calls-in-flight = 512\n  slow-consumer-timeout = 2s\n}\n";

    private const int GreedyCalls = 600;

    /// <summary>Every deadline is at most 2 s; a call still unanswered this long after the load stopped is lost.</summary>
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(10);

    /// <summary>How long the gateway idles, every connection closed, before its end RSS is read.</summary>
    private static readonly TimeSpan IdleBeforeEnd = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The memory rule: end RSS &lt;= start + max(<see cref="MemorySlackMb"/>, a quarter of the
    /// peak's rise). The fixed part covers what a managed process keeps once warm (JIT'd code,
    /// grown thread pool, GC budgets sized for the load); the share of the rise catches what must
    /// not stay: a burst's buffers, a leak per call or per connection.
    /// </summary>
    private const double MemorySlackMb = 64;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var duration = options.Chaos!.Value;
        var dir = Directory.CreateTempSubdirectory("bro-chaos-").FullName;
        try
        {
            var socket = Path.Combine(dir, "gateway.sock");
            var config = Path.Combine(dir, "chaos.hocon");
            await File.WriteAllTextAsync(config, GatewayConfig);
            await using var gateway = ChildProcess.Start(ChildProcess.Gateway, ["--socket", socket, "--config", config], "listening", options.GatewayEnv);
            await gateway.ReadyAsync();
            var result = await RunAsync(options, duration, socket, gateway);
            Console.WriteLine();
            Console.WriteLine(ChaosReportTable.Format(result));
            if (options.JsonFile is { } file)
                await File.WriteAllTextAsync(file, JsonSerializer.Serialize(result, new JsonSerializerOptions(JsonSerializerDefaults.Web)
                {
                    WriteIndented = true,
                    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
                }));
            return result.Passed ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<ChaosResult> RunAsync(BenchOptions options, TimeSpan duration, string socket, ChildProcess gateway)
    {
        var pid = gateway.Id;
        var ledger = new ChaosLedger(options.ChaosGrace);
        var counters = new Counters();
        using var load = new CancellationTokenSource();
        using var setup = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var echo = await StartEcho(socket);
        using var flaky = new ChaosService(socket, BroEncoding.Json, ChaosMix.Flaky, 2, ledger);
        using var nested = new ChaosService(socket, BroEncoding.MessagePack, ChaosMix.Nested, 2, ledger);
        using var sink = new ChaosService(socket, BroEncoding.Json, ChaosMix.Sink, 1, ledger, droppable: true);
        using var stale = new ChaosService(socket, BroEncoding.Json, ChaosMix.Stale, 1, ledger);
        foreach (var service in new[] { flaky, nested, sink, stale })
            await service.StartAsync(setup.Token);

        async Task<ChaosCaller> Caller(BroEncoding encoding, string name, bool judged = true) =>
            await ChaosCaller.StartAsync(socket, encoding, name, ledger, judged, setup.Token);
        List<ChaosCaller> callers =
        [
            await Caller(BroEncoding.Json, "chaos-caller-json-pipelined"),
            await Caller(BroEncoding.MessagePack, "chaos-caller-mp-pipelined"),
            await Caller(BroEncoding.Json, "chaos-caller-json-seq-1"),
            await Caller(BroEncoding.Json, "chaos-caller-json-seq-2"),
            await Caller(BroEncoding.MessagePack, "chaos-caller-mp-seq-1"),
            await Caller(BroEncoding.MessagePack, "chaos-caller-mp-seq-2"),
            // Stops reading on purpose: the lateness of its answers is its own.
            await Caller(BroEncoding.Json, "chaos-caller-slow-reader", judged: false),
            await Caller(BroEncoding.Json, "chaos-caller-burst"),
            await Caller(BroEncoding.MessagePack, "chaos-caller-greedy"),
            // Twins: one id sequence for two connections, so their ids collide at the same callee.
            await ChaosCaller.StartAsync(socket, BroEncoding.Json, "chaos-caller-twin-a", ledger, true, setup.Token, idPrefix: "chaos-twin"),
            await ChaosCaller.StartAsync(socket, BroEncoding.MessagePack, "chaos-caller-twin-b", ledger, true, setup.Token, idPrefix: "chaos-twin"),
            // The stale-id pair: one id sequence too, in step.
            await ChaosCaller.StartAsync(socket, BroEncoding.Json, "chaos-caller-stale-first", ledger, true, setup.Token, idPrefix: "chaos-stale-id"),
            await ChaosCaller.StartAsync(socket, BroEncoding.Json, "chaos-caller-stale-second", ledger, true, setup.Token, idPrefix: "chaos-stale-id"),
        ];

        async Task<ChaosCaller> Quitter(CancellationToken cancellation)
        {
            // The gateway may not have seen the previous connection go yet: the name is taken until it has.
            while (true)
            {
                try
                {
                    return await ChaosCaller.StartAsync(socket, BroEncoding.Json, "chaos-caller-quitter", ledger, true, cancellation);
                }
                catch (ChaosRegisterRefusedException)
                {
                    Interlocked.Increment(ref counters.RegisterRefusals);
                    await Task.Delay(50, cancellation);
                }
            }
        }

        // The start figure: everything connected and idle, before any load.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var rssStart = ProcessProbe.RssMb(pid);
        var peakResets = ProcessProbe.ResetPeak(pid);
        var cpuBefore = ProcessProbe.CpuTime(pid);
        var sampledPeak = rssStart;
        var sampler = Task.Run(async () =>
        {
            while (await ChaosLoad.Pause(TimeSpan.FromMilliseconds(100), load.Token) && !gateway.HasExited)
                sampledPeak = Math.Max(sampledPeak, ProcessProbe.RssMb(pid));
        });

        var token = load.Token;
        var vandal = new ChaosVandal(socket, ledger);
        var started = Stopwatch.GetTimestamp();
        Console.WriteLine($"chaos: {duration.TotalSeconds:N0} s against gateway pid {pid}, RSS {rssStart:N1} MB at start");
        List<Task> running =
        [
            ChaosLoad.PipelinedAsync(callers[0], 64, token),
            ChaosLoad.PipelinedAsync(callers[1], 64, token),
            ChaosLoad.SequentialAsync(callers[2], token),
            ChaosLoad.SequentialAsync(callers[3], token),
            ChaosLoad.SequentialAsync(callers[4], token),
            ChaosLoad.SequentialAsync(callers[5], token),
            ChaosLoad.PipelinedAsync(callers[6], 16, token),
            ChaosLoad.BurstsAsync(callers[7], TimeSpan.FromSeconds(10), [ChaosMix.Sink, ChaosMix.Flaky, ChaosMix.Echo], target =>
            {
                Interlocked.Increment(ref counters.Bursts);
                // 64 MiB at a sink that stops reading: its queue fills, its senders are slowed,
                // and after slow-consumer-timeout it is dropped.
                if (target == ChaosMix.Sink)
                    sink.PauseReading(TimeSpan.FromSeconds(3));
            }, token),
            ChaosLoad.GreedyAsync(callers[8], GreedyCalls, TimeSpan.FromSeconds(5), () => Interlocked.Increment(ref counters.GreedyRounds), token),
            ChaosLoad.PipelinedAsync(callers[9], 32, token),
            ChaosLoad.PipelinedAsync(callers[10], 32, token),
            ChaosLoad.StaleIdsAsync(callers[11], callers[12], ChaosMix.Stale, token),
            ChaosLoad.QuitterAsync(Quitter, 32, () => Interlocked.Increment(ref counters.CallerQuits), token),
            // Every ~8 s: a restarted .NET process takes 1-2 s to register on this machine, so the
            // service is missing (SERVICE_NOT_FOUND) a fifth of the time, not most of it.
            ChaosLoad.PeriodicallyAsync(TimeSpan.FromSeconds(8), async () =>
            {
                // kill -9, then back after a moment, registering again as a restarted service does.
                echo.Kill();
                await echo.DisposeAsync();
                Interlocked.Increment(ref counters.CalleeKills);
                await Task.Delay(Random.Shared.Next(300, 1_000));
                echo = await StartEcho(socket);
            }, token),
            ChaosLoad.PeriodicallyAsync(TimeSpan.FromSeconds(4), async () =>
            {
                // Half the time the whole service goes, else one pool member.
                var whole = Random.Shared.Next(2) == 0;
                flaky.Abort(whole ? null : 1);
                Interlocked.Increment(ref whole ? ref counters.CalleeAborts : ref counters.PoolMemberAborts);
                await Task.Delay(Random.Shared.Next(200, 800));
                await flaky.StartAsync(CancellationToken.None);
            }, token),
            ChaosLoad.PeriodicallyAsync(TimeSpan.FromSeconds(8), () =>
            {
                sink.PauseReading(TimeSpan.FromSeconds(3));
                callers[6].PauseReading(TimeSpan.FromSeconds(2));
                Interlocked.Increment(ref counters.SlowReaderPauses);
                return Task.CompletedTask;
            }, token),
            // The sink comes back once dropped.
            ChaosLoad.PeriodicallyAsync(TimeSpan.FromSeconds(1), () => sink.StartAsync(CancellationToken.None), token),
            vandal.RunAsync(token),
        ];

        var launched = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await Task.WhenAny(Task.Delay(duration), Task.WhenAll(running));
        load.Cancel();
        var loadSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        // Past the duration by more than the launch: this process was short of CPU (the
        // continuation of the wait itself queued), and answers it timed were late by as much.
        Console.WriteLine($"chaos: load stopped after {loadSeconds:N1} s (launch {launched:N1} s), {ledger.InFlight} calls in flight; " +
            $"waiting up to {DrainWait.TotalSeconds:N0} s for their answers");

        // Every deadline is at most 2 s away: what is unanswered after the wait never will be.
        var drainUntil = Stopwatch.GetTimestamp() + (long)(DrainWait.TotalSeconds * Stopwatch.Frequency);
        while (ledger.InFlight > 0 && Stopwatch.GetTimestamp() < drainUntil)
            await Task.Delay(50);
        ledger.LoseRemaining();
        await Finish(running, ledger);
        var cpu = ProcessProbe.CpuTime(pid) - cpuBefore;
        await sampler;
        var rssPeak = Math.Max(sampledPeak, peakResets ? ProcessProbe.PeakRssMb(pid) : 0);

        foreach (var caller in callers)
            caller.Dispose();
        flaky.Dispose();
        nested.Dispose();
        sink.Dispose();
        stale.Dispose();
        var refusals = flaky.RegisterRefusals + nested.RegisterRefusals + sink.RegisterRefusals + counters.RegisterRefusals;
        await echo.DisposeAsync();

        Console.WriteLine($"chaos: every connection closed; idling {IdleBeforeEnd.TotalSeconds:N0} s before the end RSS");
        await Task.Delay(IdleBeforeEnd);
        var alive = !gateway.HasExited;
        var rssEnd = alive ? ProcessProbe.RssMb(pid) : double.NaN;
        var tally = ledger.Snapshot();
        var events = new ChaosEvents(counters.CalleeKills, counters.CalleeAborts, counters.PoolMemberAborts, counters.CallerQuits, refusals, counters.SlowReaderPauses,
            sink.DroppedByGateway, counters.Bursts, counters.GreedyRounds, vandal.Acts);
        var limit = rssStart + Math.Max(MemorySlackMb, (rssPeak - rssStart) / 4);
        var log = GatewayLogKinds.Summarize(gateway.Output.Where(l =>
            l.Contains("ERROR", StringComparison.OrdinalIgnoreCase) || l.Contains("WARN", StringComparison.OrdinalIgnoreCase)));
        return new ChaosResult(
            DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'"), Machine.CpuModel(), Environment.ProcessorCount, loadSeconds,
            options.ChaosGrace.TotalMilliseconds, options.ChaosMaxLate, tally, events, cpu.TotalSeconds, rssStart, rssPeak, rssEnd, limit, alive, log,
            Rules(options, tally, alive, rssEnd, limit));
    }

    /// <summary>The rules, in the order the report lists them.</summary>
    private static List<ChaosRule> Rules(BenchOptions options, ChaosTally tally, bool alive, double rssEnd, double limit) =>
    [
        new("no call lost", tally.Lost == 0, $"{tally.Lost} of {tally.Made} calls never answered"),
        new("no call answered twice", tally.Duplicated == 0, $"{tally.Duplicated} duplicate answers"),
        new("no answer for an unknown call", tally.Strays == 0, $"{tally.Strays} answers naming no call in flight on their connection"),
        new("nothing unexpected", tally.Unexpected == 0,
            $"{tally.Unexpected} unexpected outcomes or events (codes outside the expected set, ERROR frames to callers, connections the gateway closed, wrong answers to the vandal)"),
        new($"answers by deadline + {options.ChaosGrace.TotalMilliseconds:N0} ms", tally.Late <= options.ChaosMaxLate,
            $"{tally.Late} of {tally.JudgedForLateness} judged answers late (allowed {options.ChaosMaxLate}; {tally.LateBehindBacklog} of them " +
            $"read after at least {ChaosLedger.BacklogBytes / (1024 * 1024)} MiB of other frames that came since their deadline), worst {tally.WorstLateMs:N0} ms past its deadline"),
        new("gateway alive at the end", alive, alive ? "running" : "exited"),
        new("memory returned after the load", alive && rssEnd <= limit, $"end {rssEnd:N1} MB, limit {limit:N1} MB"),
    ];

    /// <summary>Waits for the loops, which end once their calls have; one that fails or hangs is a finding, not a crash of the run.</summary>
    private static async Task Finish(List<Task> running, ChaosLedger ledger)
    {
        var all = Task.WhenAll(running);
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30))) != all)
        {
            ledger.Note("chaos: a load loop did not end within 30 s of the load stopping");
            return;
        }

        foreach (var task in running.Where(t => t.IsFaulted))
            ledger.Note($"chaos: a load loop failed: {task.Exception!.GetBaseException().Message}");
    }

    private static async Task<ChildProcess> StartEcho(string socket)
    {
        var echo = ChildProcess.StartRole("chaos-callee", "--socket", socket, "--name", ChaosMix.Echo, "--serializer", "msgpack", "--pool", "3");
        await echo.ReadyAsync();
        return echo;
    }

    /// <summary>The chaos done so far, counted by the loops that do it.</summary>
    private sealed class Counters
    {
        public long CalleeKills;
        public long CalleeAborts;
        public long PoolMemberAborts;
        public long CallerQuits;
        public long RegisterRefusals;
        public long SlowReaderPauses;
        public long Bursts;
        public long GreedyRounds;
    }
}
