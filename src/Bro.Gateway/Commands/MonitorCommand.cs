using System.CommandLine;
using System.Globalization;
using Bro.BuiltIn;

namespace Bro.Gateway.Commands;

/// <summary>
/// <c>bro monitor [--service NAME]</c>: one line per CALL and RESPONSE the gateway routes, as it
/// happens, until Ctrl+C. Long-polls the built-in service's <c>monitor</c> method; the gateway
/// records only while a monitor polls.
/// </summary>
internal static class MonitorCommand
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private const int WaitMs = 5_000;

    public static Command Create(BroCommandLine cli)
    {
        var service = new Option<string?>("--service") { Description = "Only the calls from or to this service", HelpName = "name" };
        var monitor = new Command("monitor", "Show each call and response as the gateway routes it, until Ctrl+C") { service };
        monitor.SetAction(async (result, _) =>
        {
            var json = result.GetValue(cli.Json);
            var filter = result.GetValue(service);
            var exit = await ClientCommand.RunAsync(result, cli, ConnectTimeout, async (connection, cancellationToken) =>
            {
                var pollTimeout = TimeSpan.FromMilliseconds(WaitMs) + TimeSpan.FromSeconds(5);
                // A first poll that does not wait turns recording on and gives the cursor: whatever
                // is routed once the banner is out is shown.
                var batch = await ClientCommand.CallBroAsync<MonitorBatch>(connection, BroService.Monitor,
                    new MonitorQuery(null, filter, 0), pollTimeout, cancellationToken);
                Console.Error.WriteLine($"Monitoring {cli.SocketPath(result)}{(filter is null ? "" : $" (service {filter})")}; Ctrl+C to stop.");
                while (true)
                {
                    batch = await ClientCommand.CallBroAsync<MonitorBatch>(connection, BroService.Monitor,
                        new MonitorQuery(batch.Cursor, filter, WaitMs), pollTimeout, cancellationToken);
                    if (batch.Missed > 0)
                        Console.Error.WriteLine($"... {batch.Missed} records missed (the monitor fell behind the gateway's buffer)");
                    if (batch.Paused)
                        Console.Error.WriteLine("... records skipped (the gateway routes faster than a monitor shows; it paused recording)");
                    foreach (var record in batch.Records)
                    {
                        if (json) JsonOutput.WriteLine(record);
                        else Console.WriteLine(Line(record));
                    }

                    Console.Out.Flush();
                }
            });
            return exit == ClientCommand.Interrupted ? 0 : exit;
        });
        return monitor;
    }

    /// <summary>
    /// <c>13:20:01.123 CALL     req-…  cart -> order.getOrderDetails               root-… depth 1</c>,
    /// <c>13:20:01.125 RESPONSE req-…  order.getOrderDetails -> cart success 2.1 ms root-… depth 1</c>.
    /// </summary>
    private static string Line(MonitorRecord r)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(r.Time).ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var route = r.Type == "CALL"
            ? $"{r.From} -> {r.To}.{r.Method}"
            : $"{r.From}{(r.Method is null ? "" : "." + r.Method)} -> {r.To}";
        var outcome = r.Type == "CALL" ? "" : r.Code is null ? $" {r.Status}" : $" {r.Status} {r.Code}";
        var latency = r.LatencyMs is { } ms ? $" {ms.ToString("0.###", CultureInfo.InvariantCulture)} ms" : "";
        var by = r.ByGateway ? " (gateway)" : "";
        var context = r.Root is null ? "" : $"  root {r.Root} depth {r.Depth}";
        return $"{time} {r.Type,-8} {r.Id}  {route}{outcome}{latency}{by}{context}";
    }
}
