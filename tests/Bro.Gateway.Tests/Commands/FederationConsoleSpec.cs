using System.Net;
using System.Net.Sockets;
using Bro.Gateway.Tests.Support;
using Bro.Testing;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Gateway.Tests.Commands;

/// <summary>Three <c>bro serve</c> processes, each on its own socket and cluster port, forming one cluster.</summary>
[Collection(nameof(FederationCollection))]
public sealed class FederationConsoleSpec(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bro-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_raw_client_on_one_bro_serve_calls_a_service_on_another_and_bro_services_names_its_gateway()
    {
        int[] ports = [FreePort(), FreePort(), FreePort()];
        int[] dataPorts = [FreePort(), FreePort(), FreePort()];
        var seed = $"akka.tcp://bro@127.0.0.1:{ports[0]}";
        string Socket(int i) => Path.Combine(_directory, $"{(char)('a' + i)}.sock");
        // Akka's own keys come from the HOCON file as for any setting: on a shared test machine a
        // heartbeat can be late by seconds, which must not make a gateway unreachable here.
        var config = Path.Combine(_directory, "cluster.hocon");
        await File.WriteAllTextAsync(config, "akka.cluster.failure-detector.acceptable-heartbeat-pause = 10s\n");
        var gateways = new List<BroProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
                gateways.Add(BroProcess.Start("serve", "--socket", Socket(i), "--cluster-port", ports[i].ToString(), "--seed-node", seed,
                    "--cluster-data-port", dataPorts[i].ToString(), "--config", config));
            // Three runtimes starting at once on a shared machine: a minute, not the usual 30 s.
            foreach (var gateway in gateways)
                await gateway.WaitForLineAsync("Bro gateway listening on", TimeSpan.FromSeconds(90));

            await using var users = await RawPeer.RegisterAsync(Socket(0), "users");
            var answering = AnswerEveryCallAsync(users);
            await using var orders = await RawPeer.RegisterAsync(Socket(2), "orders");

            // Until gateway C has A in its directory a CALL is answered SERVICE_NOT_FOUND; then it
            // crosses. Each CALL is answered by its deadline at the latest, whatever the cluster's state.
            ResponseMessage? answer = null;
            await Eventually.TrueAsync(async () =>
            {
                var call = Messages.BuildCall("orders", "users", "get", RawValue.FromObject(new { id = 7 }, BroEncoding.Json),
                    CallContexts.Extend(CallContexts.Create("orders", TimeSpan.FromSeconds(5)), "users"));
                await orders.SendAsync(call, BroEncoding.Json);
                answer = await orders.ReadAsync<ResponseMessage>();
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {answer.Status} {answer.Error?.Code} {answer.Error?.Message}");
                Assert.Equal(call.Id, answer.Id);
                return answer.Status == ResponseStatus.Success;
            }, TimeSpan.FromSeconds(60));
            Assert.Equal("""{"id":7}""", answer!.Data!.ToJsonString());

            await using var services = BroProcess.Start("services", "--socket", Socket(2));
            Assert.Equal(0, await services.WaitForExitAsync());
            output.WriteLine(services.Output);
            Assert.Matches($@"(?m)^users\s.*\s{Regex(seed)}$", services.Output);
            Assert.Matches(@"(?m)^orders\s.*\slocal$", services.Output);

            // A call can cross before gossip has told every gateway that every member is Up
            // (a gateway may still see itself Joining): bro status is asked until it has.
            await Eventually.TrueAsync(async () =>
            {
                await using var status = BroProcess.Start("status", "--socket", Socket(2));
                Assert.Equal(0, await status.WaitForExitAsync());
                output.WriteLine(status.Output);
                Assert.Contains($"cluster          akka.tcp://bro@127.0.0.1:{ports[2]} (data links on port {dataPorts[2]})", status.Output);
                return ports.All(port => status.Output.Contains($"member         akka.tcp://bro@127.0.0.1:{port} (Up)", StringComparison.Ordinal));
            }, TimeSpan.FromSeconds(60));

            foreach (var gateway in gateways)
                gateway.Terminate();
            foreach (var gateway in gateways)
                Assert.Equal(0, await gateway.WaitForExitAsync());
            _ = answering;
        }
        finally
        {
            foreach (var gateway in gateways)
            {
                output.WriteLine(gateway.Output);
                await gateway.DisposeAsync();
            }
        }
    }

    // Echoes each CALL's params as its RESPONSE's data until the connection closes.
    private static async Task AnswerEveryCallAsync(RawPeer service)
    {
        try
        {
            while (true)
            {
                var call = await service.ReadAsync<CallMessage>();
                await service.SendAsync(Messages.BuildSuccessResponse(call, data: call.Params), BroEncoding.Json);
            }
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Cluster specs run one at a time: each starts three gateway processes, and two cores are shared.</summary>
[CollectionDefinition(nameof(FederationCollection), DisableParallelization = true)]
public sealed class FederationCollection;
