using Bro.Examples.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Examples.Tests;

/// <summary>
/// deploy/bro-gateway.service: its command line and environment, run as systemd would run them
/// (the socket moved to a temp directory, the executable to its build output).
/// </summary>
public sealed class DeployUnitSpec(ITestOutputHelper log) : IDisposable
{
    private readonly TempSocket _socket = new();
    private readonly string[] _unit = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "deploy", "bro-gateway.service"));

    public void Dispose() => _socket.Dispose();

    [Fact]
    public void The_unit_restarts_the_gateway_on_failure_and_puts_the_socket_in_its_runtime_directory()
    {
        Assert.Equal("on-failure", Setting("Restart").Single());
        Assert.Equal("bro", Setting("RuntimeDirectory").Single());
        Assert.Equal("/run/bro/gateway.sock", Environment()["BRO_SOCKET"]);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_units_command_and_environment_start_a_gateway_that_exits_0_on_SIGTERM()
    {
        var command = Setting("ExecStart").Single().Split(' ');
        Assert.Equal(["/usr/bin/dotnet", "/opt/bro/Bro.Gateway.dll"], command[..2]);
        var environment = new Dictionary<string, string>(Environment()) { ["BRO_SOCKET"] = _socket.Path };

        await using var gateway = ExampleProcess.StartAssembly(BuiltAssembly.PathOf("Bro.Gateway"), log, environment, command[2..]);
        await gateway.WaitForLineAsync($"Bro gateway listening on {_socket.Path}");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(_socket.Path));

        // Exit code 0 on SIGTERM: a stop that Restart=on-failure does not undo.
        gateway.Terminate();
        Assert.Equal(0, await gateway.WaitForExitAsync());
        Assert.False(File.Exists(_socket.Path));
    }

    private IEnumerable<string> Setting(string key) =>
        _unit.Where(l => l.StartsWith($"{key}=", StringComparison.Ordinal)).Select(l => l[(key.Length + 1)..]);

    private Dictionary<string, string> Environment() =>
        Setting("Environment").Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
}
