using System.CommandLine;
using Bro.BuiltIn;

namespace Bro.Gateway.Commands;

/// <summary><c>bro status</c>: uptime, connections, services, calls routed, errors by code, calls in flight.</summary>
internal static class StatusCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static Command Create(BroCommandLine cli)
    {
        var status = new Command("status", "Show the gateway's counters");
        status.SetAction((result, _) => ClientCommand.RunAsync(result, cli, Timeout, async (connection, cancellationToken) =>
        {
            var report = await ClientCommand.CallBroAsync<StatusReport>(connection, BroService.Status, null, Timeout, cancellationToken);
            var cluster = await ClusterViews.GetAsync(connection, Timeout, cancellationToken);
            if (result.GetValue(cli.Json))
            {
                if (cluster is null)
                    JsonOutput.WriteLine(report);
                else
                    JsonOutput.WriteLine(new { status = report, cluster });
                return 0;
            }

            var errors = report.ErrorsByCode.Count == 0
                ? "none"
                : string.Join(", ", report.ErrorsByCode.OrderByDescending(e => e.Value).Select(e => $"{e.Key} {e.Value}"));
            Console.WriteLine($"""
                gateway          {report.Gateway} {report.Version} on {report.SocketPath}
                uptime           {Format.Duration(report.UptimeMs)} (since {Format.Time(report.StartedAt)})
                connections      {report.Connections}
                services         {report.Services}
                calls routed     {report.CallsRouted}
                responses        {report.ResponsesRouted} routed, {report.ResponsesDropped} dropped
                calls in flight  {report.CallsInFlight}
                errors           {errors}
                """);
            if (cluster is not null)
            {
                Console.WriteLine($"cluster          {cluster.Self} (data links on port {cluster.DataPort})");
                foreach (var member in cluster.Members)
                {
                    var notes = string.Join(", ", new[] { member.Status, member.Reachable ? null : "unreachable", member.Routed ? null : "not routed" }
                        .Where(n => n is not null));
                    Console.WriteLine($"  member         {member.Address} ({notes})");
                }
            }

            return 0;
        }));
        return status;
    }
}
