using System.CommandLine;
using Bro.BuiltIn;

namespace Bro.Gateway.Commands;

/// <summary><c>bro services</c>: one row per registered service.</summary>
internal static class ServicesCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static Command Create(BroCommandLine cli)
    {
        var services = new Command("services", "List the registered services");
        services.SetAction((result, _) => ClientCommand.RunAsync(result, cli, Timeout, async (connection, cancellationToken) =>
        {
            var all = await ClientCommand.CallBroAsync<ServiceReport[]>(connection, BroService.Services, null, Timeout, cancellationToken);
            // The console's own connection is how it asked, not one of the services asked about.
            var list = all.Where(s => s.Name != connection.ServiceName).ToArray();
            var cluster = await ClusterViews.GetAsync(connection, Timeout, cancellationToken);
            if (result.GetValue(cli.Json))
            {
                // In a cluster: the local services, and the directory of every gateway's.
                if (cluster is null)
                    JsonOutput.WriteLine(list);
                else
                    JsonOutput.WriteLine(new { services = list, gateway = cluster.Self, directory = cluster.Directory });
                return 0;
            }

            var rows = list.Select(s => new[]
            {
                s.Name,
                string.Join(",", s.Methods),
                s.Connections.ToString(System.Globalization.CultureInfo.InvariantCulture),
                s.Instances.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                string.Join(",", s.Encodings.Distinct()),
                Format.Time(s.ConnectedAt),
                s.Peers.Count == 0 ? "-" : string.Join(",", s.Peers.Select(p => $"{p.Pid}/{p.Uid}").Distinct()),
                s.CallsInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
                s.CallsServed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            if (cluster is not null)
            {
                // A GATEWAY column, and a row per service another gateway serves: what this
                // gateway knows of it is the directory's line (name, connections, encoding).
                rows = rows.Select(r => (string[])[.. r, "local"]).Concat(cluster.Directory
                    .Where(e => e.Gateway != cluster.Self)
                    .Select(e => new[]
                    {
                        e.Service, "-", e.Connections.ToString(System.Globalization.CultureInfo.InvariantCulture), "-",
                        e.Encoding, "-", "-", "-", "-", e.Gateway,
                    }))
                    .OrderBy(r => r[0], StringComparer.Ordinal);
                Format.Table(Console.Out, ["NAME", "METHODS", "CONN", "INSTANCES", "ENCODING", "CONNECTED SINCE", "PID/UID", "IN FLIGHT", "SERVED", "GATEWAY"], rows);
                return 0;
            }

            Format.Table(Console.Out, ["NAME", "METHODS", "CONN", "INSTANCES", "ENCODING", "CONNECTED SINCE", "PID/UID", "IN FLIGHT", "SERVED"], rows);
            return 0;
        }));
        return services;
    }
}
