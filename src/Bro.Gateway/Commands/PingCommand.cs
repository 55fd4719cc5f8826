using System.CommandLine;
using System.Diagnostics;
using Bro.BuiltIn;

namespace Bro.Gateway.Commands;

/// <summary><c>bro ping</c>: exit 0 when the gateway answers within the timeout, else one line and exit 1.</summary>
internal static class PingCommand
{
    public static Command Create(BroCommandLine cli)
    {
        var timeout = ClientCommand.TimeoutOption("5s", "How long to wait for the gateway, connecting included");
        var ping = new Command("ping", "Check that the gateway answers (exit 0) or not (exit 1)") { timeout };
        ping.SetAction((result, _) =>
        {
            var limit = ClientCommand.ParseTimeout(result.GetValue(timeout)!);
            var started = Stopwatch.GetTimestamp();
            return ClientCommand.RunAsync(result, cli, limit, async (connection, cancellationToken) =>
            {
                var remaining = limit - Stopwatch.GetElapsedTime(started);
                var sent = Stopwatch.GetTimestamp();
                var reply = await ClientCommand.CallBroAsync<PingReply>(connection, BroService.Ping, null,
                    remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1), cancellationToken);
                var latency = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                if (result.GetValue(cli.Json))
                    JsonOutput.WriteLine(new { reply.Gateway, reply.Version, reply.UptimeMs, latencyMs = Math.Round(latency, 3) });
                else
                    Console.WriteLine($"pong from {reply.Gateway} {reply.Version} at {cli.SocketPath(result)} in {latency:0.###} ms (up {Format.Duration(reply.UptimeMs)})");
                return 0;
            });
        });
        return ping;
    }
}
