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
            if (result.GetValue(cli.Json))
            {
                JsonOutput.WriteLine(list);
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
            Format.Table(Console.Out, ["NAME", "METHODS", "CONN", "INSTANCES", "ENCODING", "CONNECTED SINCE", "PID/UID", "IN FLIGHT", "SERVED"], rows);
            return 0;
        }));
        return services;
    }
}
