using Akka.Configuration;
using Bro.Configuration;
using Bro.Protocol;
using Xunit;
using Bro.Testing;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Integration;

/// <summary>
/// Who is connected, over real sockets: every connection carries its peer's credentials (the
/// kernel's SO_PEERCRED), and a service's pool is joined only from the process that holds it.
/// A second process is Node.js (<see cref="NodePeer"/>).
/// </summary>
public sealed class GatewayTrustSpec(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string JoinWorkersPool =
        """{"type":"REGISTER","serviceName":"workers","methods":["echo"],"metadata":{"poolIndex":1}}""";

    [Fact]
    public async Task A_connection_carries_its_peer_process_credentials_into_the_service_info()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var service = await RawPeer.RegisterAsync(gateway.Path, "svc");

        var info = await gateway.Gateway.GetServiceAsync("svc");

        Assert.Equal([ThisProcess.Credentials], info!.Credentials);
    }

    [Fact]
    public async Task A_pool_join_from_the_same_process_is_accepted()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var first = await RawPeer.RegisterAsync(gateway.Path, "workers", poolIndex: 0);
        await using var second = await RawPeer.RegisterAsync(gateway.Path, "workers", poolIndex: 1);

        var info = await gateway.Gateway.GetServiceAsync("workers");

        Assert.Equal(2, info!.Connections);
        Assert.Equal([ThisProcess.Credentials, ThisProcess.Credentials], info.Credentials);
    }

    [Fact]
    public async Task A_pool_join_from_another_process_is_answered_CONNECTION_FAILED_and_closed()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var first = await RawPeer.RegisterAsync(gateway.Path, "workers", poolIndex: 0);

        await using var other = NodePeer.Start(gateway.Path, JoinWorkersPool);
        var error = await other.WaitForLineAsync("\"ERROR\"");
        await other.WaitForLineAsync(NodePeer.Closed);

        Assert.Contains(ErrorCodes.ConnectionFailed, error);
        Assert.Contains("Service 'workers' is already registered by process " + Environment.ProcessId, error);
        Assert.Contains("only that process may join its pool, not process " + other.Pid, error);
        Assert.Equal(1, (await gateway.Gateway.GetServiceAsync("workers"))!.Connections);
    }

    [Fact]
    public async Task A_pool_join_from_another_process_is_accepted_where_the_policy_allows_it()
    {
        var me = ThisProcess.Credentials;
        await using var gateway = await TestGateway.StartAsync(s => GatewaySettings.Create(ConfigurationFactory.ParseString($$"""
            bro.gateway.policy.rules.workers {
              uids = [{{me.Uid}}]
              register = ["workers"]
              allow-pool-from-other-process = on
            }
            """)) with { SocketPath = s.SocketPath }, output: output);
        await using var first = await RawPeer.RegisterAsync(gateway.Path, "workers", poolIndex: 0);

        await using var other = NodePeer.Start(gateway.Path, JoinWorkersPool);
        await other.WaitForLineAsync("REGISTER_ACK");

        var info = await gateway.Gateway.GetServiceAsync("workers");
        Assert.Equal(2, info!.Connections);
        Assert.Equal([me.Pid, other.Pid], info.Credentials.Select(c => c.Pid));
    }
}
