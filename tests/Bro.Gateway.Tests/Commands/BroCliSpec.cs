using System.Text.Json;
using Bro.BuiltIn;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;
using Bro.Testing;
using Bro.Gateway.Tests.Support;

namespace Bro.Gateway.Tests.Commands;

/// <summary>
/// The real <c>bro</c> client subcommands (Bro.Gateway.dll run as a process) against a live gateway on a
/// real socket, and against none.
/// </summary>
public sealed class BroCliSpec(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bro-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<(int Exit, string Output)> RunAsync(params string[] arguments)
    {
        await using var bro = BroProcess.Start(arguments);
        var exit = await bro.WaitForExitAsync();
        return (exit, bro.Output);
    }

    [Fact]
    public async Task Bro_services_lists_each_service_with_methods_connections_encoding_and_peer()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var order = await EchoService.StartAsync(gateway.Path, "order-service");

        var (exit, text) = await RunAsync("services", "--socket", gateway.Path);

        Assert.Equal(0, exit);
        var lines = text.Split('\n');
        Assert.StartsWith("NAME", lines[0]);
        var row = Assert.Single(lines, l => l.StartsWith("order-service", StringComparison.Ordinal));
        Assert.Matches($@"^order-service\s+echo\s+1\s+1\s+json\s+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\s+{Environment.ProcessId}/{ThisProcess.Credentials.Uid}\s+0\s+0$", row);
        Assert.DoesNotContain("bro-cli-", text);
    }

    [Fact]
    public async Task Bro_services_json_is_the_list_the_built_in_service_answers()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var order = await EchoService.StartAsync(gateway.Path, "order-service");

        var (exit, text) = await RunAsync("services", "--json", "--socket", gateway.Path);

        Assert.Equal(0, exit);
        var services = JsonSerializer.Deserialize<ServiceReport[]>(text, RawValue.DefaultJsonOptions)!;
        var order1 = Assert.Single(services);
        Assert.Equal(("order-service", 1, Environment.ProcessId), (order1.Name, order1.Connections, order1.Peers[0].Pid));
        Assert.Equal((1, "round-robin"), (order1.Instances.Count, order1.Balancing));
    }

    [Fact]
    public async Task Bro_call_prints_the_result_and_exits_0()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var order = await EchoService.StartAsync(gateway.Path, "order-service");

        var (exit, text) = await RunAsync("call", "order-service", "echo", """{"orderId":42}""", "--json", "--socket", gateway.Path);

        Assert.Equal(0, exit);
        Assert.Equal("""{"orderId":42}""", text.Trim());
    }

    [Fact]
    public async Task Bro_call_prints_the_code_and_message_of_an_error_response_and_exits_1()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var order = await EchoService.StartAsync(gateway.Path, "order-service");

        var (exit, text) = await RunAsync("call", "order-service", "fail", "--socket", gateway.Path);

        Assert.Equal(1, exit);
        Assert.Equal("USER_NOT_FOUND: no such user", text.Trim());
    }

    [Fact]
    public async Task Bro_call_refuses_params_that_are_not_JSON_before_connecting()
    {
        var (exit, text) = await RunAsync("call", "order-service", "echo", "{oops", "--socket", Path.Combine(_directory, "none.sock"));

        Assert.Equal(2, exit);
        Assert.StartsWith("bro: params is not JSON", text);
    }

    [Fact]
    public async Task Bro_monitor_shows_a_call_and_its_response_routed_while_it_runs()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var order = await EchoService.StartAsync(gateway.Path, "order-service");
        await using var cart = await RawPeer.RegisterAsync(gateway.Path, "cart");
        await using var monitor = BroProcess.Start("monitor", "--socket", gateway.Path);
        await monitor.WaitForLineAsync("Monitoring " + gateway.Path);

        var call = TestCalls.Echo("cart", "order-service");
        await cart.SendAsync(call, BroEncoding.Json);
        await cart.ReadAsync<ResponseMessage>();

        var callLine = await monitor.WaitForLineAsync($"CALL     {call.Id}");
        Assert.Contains($"cart -> order-service.echo  root {call.Context.Root} depth 2", callLine);
        var responseLine = await monitor.WaitForLineAsync($"RESPONSE {call.Id}");
        Assert.Matches(@"order-service\.echo -> cart success [\d.]+ ms  root ", responseLine);

        monitor.Terminate();
        Assert.Equal(0, await monitor.WaitForExitAsync());
    }

    [Fact]
    public async Task Bro_status_reports_uptime_connections_services_calls_and_errors_by_code()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with { RegistrationGrace = TimeSpan.Zero }, output: output);
        await using var order = await EchoService.StartAsync(gateway.Path, "order-service");
        await using var cart = await RawPeer.RegisterAsync(gateway.Path, "cart");
        await cart.SendAsync(TestCalls.Echo("cart", "ghost"), BroEncoding.Json);
        await cart.ReadAsync<ResponseMessage>();

        var (exit, text) = await RunAsync("status", "--socket", gateway.Path);
        var (jsonExit, json) = await RunAsync("status", "--json", "--socket", gateway.Path);

        Assert.Equal((0, 0), (exit, jsonExit));
        Assert.Matches(@"uptime\s+[\d.]+s", text);
        Assert.Matches(@"services\s+3", text); // order-service, cart, and the console itself
        Assert.Matches(@"errors\s+SERVICE_NOT_FOUND 1", text);
        var report = JsonSerializer.Deserialize<StatusReport>(json, RawValue.DefaultJsonOptions)!;
        Assert.Equal((gateway.Path, 3, 3, 1L), (report.SocketPath, report.Connections, report.Services, report.ErrorsByCode[ErrorCodes.ServiceNotFound]));
    }

    [Fact]
    public async Task Bro_ping_exits_0_when_the_gateway_answers()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);

        var (exit, text) = await RunAsync("ping", "--socket", gateway.Path);

        Assert.Equal(0, exit);
        Assert.StartsWith($"pong from bro ", text);
        Assert.Contains($"at {gateway.Path} in ", text);
    }

    [Theory]
    [InlineData("ping")]
    [InlineData("status")]
    [InlineData("services")]
    [InlineData("monitor")]
    [InlineData("call", "order-service", "echo")]
    public async Task Every_client_subcommand_against_no_gateway_says_so_in_one_line_and_exits_1(params string[] command)
    {
        var socket = Path.Combine(_directory, "none.sock");

        var (exit, text) = await RunAsync([.. command, "--socket", socket]);

        Assert.Equal(1, exit);
        Assert.Equal($"bro: cannot reach the gateway at {socket}: no such socket (is `bro serve` running?)", text);
    }

    [Fact]
    public async Task Bro_ping_against_a_socket_nobody_listens_on_says_so_in_one_line_and_exits_1()
    {
        var socket = Path.Combine(_directory, "stale.sock");
        using (var stale = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, 0))
            stale.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socket)); // bound, never listening, then closed

        var (exit, text) = await RunAsync("ping", "--socket", socket);

        Assert.Equal(1, exit);
        Assert.StartsWith($"bro: cannot reach the gateway at {socket}: ", text);
        Assert.DoesNotContain("\n", text);
        Assert.DoesNotContain("Exception", text);
    }
}
