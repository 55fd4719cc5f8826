using System.Text.RegularExpressions;
using Bro.Examples.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Examples.Tests;

/// <summary>examples/GatewaySupervisor: the `bro` console killed and restarted, its clients back by themselves.</summary>
public sealed partial class GatewaySupervisorSpec(ITestOutputHelper log) : IDisposable
{
    private readonly TempSocket _socket = new();

    public void Dispose() => _socket.Dispose();

    [Fact]
    public async Task GatewaySupervisor_restarts_a_killed_gateway_and_both_clients_register_again_by_themselves()
    {
        var (exitCode, lines) = await ExampleProcess.RunAsync("GatewaySupervisor", log, _socket.Environment);

        Assert.Equal(0, exitCode);
        var crash = Index(lines, l => l.StartsWith("supervisor: killing the gateway", StringComparison.Ordinal));
        var restart = Index(lines, l => l.Contains("restarting it in 100 ms", StringComparison.Ordinal));
        var after = Index(lines, l => l == "after the restart: getUserName 1 -> Ada Lovelace");
        Assert.True(Index(lines, l => l == "before the crash: getUserName 1 -> Ada Lovelace") < crash);
        Assert.True(crash < restart && restart < after);

        // Two gateway processes listened on the same path, one after the other.
        var gateways = lines.Select(l => Listening().Match(l)).Where(m => m.Success).ToList();
        Assert.Equal(2, gateways.Count);
        Assert.NotEqual(gateways[0].Groups["pid"].Value, gateways[1].Groups["pid"].Value);
        Assert.All(gateways, m => Assert.Equal(_socket.Path, m.Groups["socket"].Value));

        // Each client registered before the crash and again after it, with nothing in the example reconnecting it.
        foreach (var service in new[] { "user-service", "order-service" })
        {
            var registered = lines.Select((line, index) => (line, index)).Where(l => l.line == $"{service} registered").ToList();
            Assert.Equal(2, registered.Count);
            Assert.InRange(registered[0].index, 0, crash);
            Assert.InRange(registered[1].index, restart, after);
        }

        // Stopped with SIGTERM at the end: the second gateway removed its socket file.
        Assert.Contains(lines, l => l.StartsWith("supervisor: stopping the gateway", StringComparison.Ordinal));
        Assert.False(File.Exists(_socket.Path));
    }

    private static int Index(IReadOnlyList<string> lines, Func<string, bool> match)
    {
        var index = lines.ToList().FindIndex(l => match(l));
        Assert.True(index >= 0, "an expected line is missing");
        return index;
    }

    [GeneratedRegex(@"^supervisor: the gateway \(pid (?<pid>\d+)\) listens on (?<socket>\S+)$")]
    private static partial Regex Listening();
}
