using Akka.Configuration;
using Bro.Configuration;
using Bro.Protocol;
using Xunit;
using Bro.Testing;

namespace Bro.Actors.Tests.Integration;

/// <summary>
/// bro.gateway.policy over real sockets, configured in HOCON: who may connect, register which
/// names and call which services, by the peer's uid or gid (this process's, as the kernel sees it).
/// </summary>
public sealed class GatewayPolicySpec(Xunit.Abstractions.ITestOutputHelper output)
{
    private const BroEncoding Json = BroEncoding.Json;

    private Task<TestGateway> StartAsync(string rules) =>
        TestGateway.StartAsync(s => GatewaySettings.Create(ConfigurationFactory.ParseString("bro.gateway.policy.rules { " + rules + " }"))
            with { SocketPath = s.SocketPath }, output: output);

    [Fact]
    public async Task A_peer_whose_uid_and_gid_no_rule_names_is_answered_UNAUTHORIZED_and_closed_as_it_connects()
    {
        var stranger = ThisProcess.Stranger;
        await using var gateway = await StartAsync($"others {{ uids = [{stranger}], gids = [{stranger}], register = [\"*\"] }}");

        await using var peer = await RawPeer.ConnectAsync(gateway.Path);
        var error = await peer.ReadAsync<ErrorMessage>();

        Assert.Equal(ErrorCodes.Unauthorized, error.Error.Code);
        Assert.Contains($"admits uid {ThisProcess.Credentials.Uid} or gid {ThisProcess.Credentials.Gid}", error.Error.Message);
        Assert.True(await peer.WaitClosedAsync(), "the connection the policy refused stays open");
        Assert.Empty(await gateway.Gateway.GetConnectedServicesAsync());
    }

    [Theory]
    [InlineData("uids")]
    [InlineData("gids")]
    public async Task A_peer_a_rule_names_by_uid_or_by_gid_connects_and_registers(string key)
    {
        var me = ThisProcess.Credentials;
        var id = key == "uids" ? me.Uid : me.Gid;
        var stranger = ThisProcess.Stranger;
        await using var gateway = await StartAsync(
            $"mine {{ {key} = [{id}], register = [\"svc\"] }} others {{ uids = [{stranger}], register = [\"*\"] }}");

        await using var peer = await RawPeer.RegisterAsync(gateway.Path, "svc");

        Assert.Equal(["svc"], await gateway.Gateway.GetConnectedServicesAsync());
    }

    [Fact]
    public async Task A_REGISTER_of_a_name_outside_the_allowed_patterns_is_answered_UNAUTHORIZED_and_closed()
    {
        await using var gateway = await StartAsync($"payments {{ uids = [{ThisProcess.Credentials.Uid}], register = [\"payments-*\"] }}");
        await using var allowed = await RawPeer.RegisterAsync(gateway.Path, "payments-eu");

        await using var peer = await RawPeer.ConnectAsync(gateway.Path);
        await peer.SendAsync(new RegisterMessage("users", ["echo"]), Json);
        var error = await peer.ReadAsync<ErrorMessage>();

        Assert.Equal(ErrorCodes.Unauthorized, error.Error.Code);
        Assert.Contains("register 'users'", error.Error.Message);
        Assert.True(await peer.WaitClosedAsync(), "the connection refused at REGISTER stays open");
        Assert.Equal(["payments-eu"], await gateway.Gateway.GetConnectedServicesAsync());
    }

    [Fact]
    public async Task A_CALL_to_a_service_outside_the_callable_patterns_gets_an_UNAUTHORIZED_RESPONSE_with_its_id_and_an_allowed_one_routes()
    {
        await using var gateway = await StartAsync(
            $"everyone {{ uids = [{ThisProcess.Credentials.Uid}], register = [\"*\"], call = [\"users\", \"audit-*\"] }}");
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var users = await RawPeer.RegisterAsync(gateway.Path, "users");
        await using var payments = await RawPeer.RegisterAsync(gateway.Path, "payments");

        var forbidden = TestCalls.Echo("caller", "payments");
        await caller.SendAsync(forbidden, Json);
        var refused = await caller.ReadAsync<ResponseMessage>();

        Assert.Equal((forbidden.Id, ResponseStatus.Error, ErrorCodes.Unauthorized), (refused.Id, refused.Status, refused.Error?.Code));
        Assert.Contains("call 'payments'", refused.Error!.Message);

        var allowed = TestCalls.Echo("caller", "users");
        await caller.SendAsync(allowed, Json);
        Assert.Equal(allowed.Id, (await users.ReadAsync<CallMessage>()).Id);
    }
}
