using Bro.Examples.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Examples.Tests;

/// <summary>
/// examples/BasicGateway, with another example (UserService) joining it through BRO_SOCKET: the
/// convention of examples/README.md from both sides.
/// </summary>
public sealed class BasicGatewaySpec(ITestOutputHelper log) : IDisposable
{
    private readonly TempSocket _socket = new();

    public void Dispose() => _socket.Dispose();

    [Fact]
    public async Task BasicGateway_routes_the_UserService_example_given_its_socket_and_stops_cleanly_on_SIGTERM()
    {
        await using var gateway = ExampleProcess.Start("BasicGateway", log, _socket.Environment);
        await gateway.WaitForLineAsync($"Gateway listening on {_socket.Path}");

        var (exitCode, lines) = await ExampleProcess.RunAsync("UserService", log, _socket.Environment);
        Assert.Equal(0, exitCode);
        Assert.Contains($"Using the gateway at {_socket.Path} (BRO_SOCKET)", lines);
        Assert.Contains("""getUserById {"id":1} -> User { Id = 1, Name = Ada Lovelace, Email = ada@example.com }""", lines);

        await gateway.WaitForLineAsync("registered    user-service: getUserById, listUsers");
        await gateway.WaitForLineAsync("call          user-service-demo -> user-service.getUserById (depth 2)");
        await gateway.WaitForLineAsync("disconnected  user-service: ");
        gateway.Terminate();
        Assert.Equal(0, await gateway.WaitForExitAsync());
        Assert.Contains("Stopping after 3 calls routed", gateway.Lines);
        Assert.False(File.Exists(_socket.Path), "the gateway removes its socket file when it stops");
    }
}
