using Bro.Protocol;
using Xunit;
using Bro.Testing;
using Bro.Gateway.Tests.Support;

namespace Bro.Gateway.Tests.Commands;

/// <summary>The <c>bro</c> executable as a user runs it.</summary>
public sealed class BroConsoleSpec : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bro-").FullName;

    private string SocketPath => Path.Combine(_directory, "gw.sock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Bro_serves_logs_registrations_and_leaves_no_socket_file_after_SIGTERM()
    {
        await using var bro = BroProcess.Start("--socket", SocketPath);
        await bro.WaitForLineAsync("listening on " + SocketPath);
        Assert.True(File.Exists(SocketPath));

        await using (var peer = await RawPeer.RegisterAsync(SocketPath, "order-service"))
            await bro.WaitForLineAsync("Registered order-service");

        bro.Terminate();

        Assert.Equal(0, await bro.WaitForExitAsync());
        Assert.False(File.Exists(SocketPath), "the socket file is left behind");
    }

    [Fact]
    public async Task Bro_serve_logs_a_bro_commands_own_connection_only_at_debug_level()
    {
        await using var bro = BroProcess.Start("--socket", SocketPath);
        await bro.WaitForLineAsync("listening on " + SocketPath);
        await using (var ping = BroProcess.Start("ping", "--socket", SocketPath))
            Assert.Equal(0, await ping.WaitForExitAsync());

        // Logged in the order registrations happen: the ping's came first, had it been logged.
        await using (var peer = await RawPeer.RegisterAsync(SocketPath, "order-service"))
            await bro.WaitForLineAsync("Registered order-service");

        Assert.DoesNotContain("bro-cli-", bro.Output);
        bro.Terminate();
        Assert.Equal(0, await bro.WaitForExitAsync());
    }

    [Fact]
    public async Task Bro_serve_json_writes_its_events_as_JSON_lines()
    {
        await using var bro = BroProcess.Start("serve", "--json", "--socket", SocketPath);
        var started = System.Text.Json.JsonDocument.Parse(await bro.WaitForLineAsync("\"event\":\"started\"")).RootElement;
        Assert.Equal(SocketPath, started.GetProperty("socket").GetString());

        await using (await RawPeer.RegisterAsync(SocketPath, "order-service"))
        {
            var registered = System.Text.Json.JsonDocument.Parse(await bro.WaitForLineAsync("\"event\":\"registered\"")).RootElement;
            Assert.Equal(("order-service", Environment.ProcessId),
                (registered.GetProperty("service").GetString(), registered.GetProperty("pid").GetInt32()));
        }

        Assert.DoesNotContain("[INFO]", bro.Output);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Bro_gives_the_socket_file_mode_0660_whatever_the_umask_and_takes_another_from_socket_mode()
    {
        await using (var bro = BroProcess.Start("--socket", SocketPath))
        {
            await bro.WaitForLineAsync("listening on");
            Assert.Equal(
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
                File.GetUnixFileMode(SocketPath));
            bro.Terminate();
            await bro.WaitForExitAsync();
        }

        await using var owner = BroProcess.Start("--socket", SocketPath, "--socket-mode", "0600");
        await owner.WaitForLineAsync("listening on");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
    }

    [Fact]
    public async Task Bro_keeps_accepting_after_running_out_of_file_descriptors()
    {
        await using var bro = BroProcess.Start("--socket", SocketPath);
        await bro.WaitForLineAsync("listening on");
        // A first service loads what serving a connection needs (assemblies are files too).
        await using (await RawPeer.RegisterAsync(SocketPath, "first"))
            await bro.WaitForLineAsync("Registered first");
        await bro.WaitForLineAsync("Disconnected first");

        // Room for three more descriptors: of eight services connecting at once, five or more
        // find accept() failing with EMFILE until those before them have registered and hung up.
        var open = Directory.GetFiles($"/proc/{bro.Id}/fd").Length;
        using (var prlimit = System.Diagnostics.Process.Start("prlimit", $"--pid {bro.Id} --nofile={open + 3}:{open + 3}"))
        {
            await prlimit.WaitForExitAsync();
            Assert.Equal(0, prlimit.ExitCode);
        }

        // Eight services through three descriptors, one after another, on a loaded 2-core machine:
        // once in CI a REGISTER_ACK took over RawPeer's usual 10 s, so these wait up to a minute.
        var registrations = Enumerable.Range(0, 8).Select(async i =>
        {
            await using var peer = await RawPeer.RegisterAsync(SocketPath, $"svc-{i}", ackTimeout: TimeSpan.FromMinutes(1));
        }).ToArray();

        await bro.WaitForLineAsync("failed (TooManyOpenSockets").WaitAsync(TimeSpan.FromSeconds(20));
        await Task.WhenAll(registrations);
        Assert.Contains("listening on", bro.Output);
    }

    [Fact]
    public async Task Bro_announces_the_heartbeat_interval_it_was_given()
    {
        await using var bro = BroProcess.Start("--socket", SocketPath, "--heartbeat-interval", "2500");
        await bro.WaitForLineAsync("listening on");

        await using var peer = await RawPeer.ConnectAsync(SocketPath);
        await peer.SendAsync(new RegisterMessage("svc", []), BroEncoding.Json);
        var ack = await peer.ReadAsync<RegisterAckMessage>();

        Assert.Equal(2500, ack.HeartbeatInterval);
    }

    [Fact]
    public async Task Bro_refuses_a_socket_path_held_by_a_live_gateway_with_one_line_and_a_nonzero_exit()
    {
        await using var first = BroProcess.Start("--socket", SocketPath);
        await first.WaitForLineAsync("listening on");

        await using var second = BroProcess.Start("--socket", SocketPath);

        Assert.Equal(1, await second.WaitForExitAsync());
        Assert.Contains($"bro: Socket path '{SocketPath}' is in use by a live listener", second.Output);
        Assert.True(File.Exists(SocketPath), "the live gateway's socket file was removed");
    }

    [Theory]
    [InlineData("missing-directory")]
    [InlineData("too-long")]
    public async Task Bro_refuses_an_unusable_socket_path_with_one_line_and_a_nonzero_exit(string problem)
    {
        var path = problem == "too-long"
            ? Path.Combine(_directory, new string('s', 120) + ".sock")
            : Path.Combine(_directory, "no-such-dir", "gw.sock");

        await using var bro = BroProcess.Start("--socket", path);

        Assert.Equal(1, await bro.WaitForExitAsync());
        var error = bro.Output.Split('\n').Single(l => l.StartsWith("bro: ", StringComparison.Ordinal));
        Assert.Contains(problem == "too-long" ? "over the limit of 107 bytes" : "does not exist", error);
    }

    [Fact]
    public async Task Bro_refuses_a_socket_path_that_holds_a_regular_file_and_leaves_the_file_alone()
    {
        await File.WriteAllTextAsync(SocketPath, "precious");

        await using var bro = BroProcess.Start("--socket", SocketPath);

        Assert.Equal(1, await bro.WaitForExitAsync());
        var error = bro.Output.Split('\n').Single(l => l.StartsWith("bro: ", StringComparison.Ordinal));
        Assert.Contains("is not a socket", error);
        Assert.Equal("precious", await File.ReadAllTextAsync(SocketPath));
    }

    [Fact]
    public async Task Bro_rejects_an_unknown_option_with_usage()
    {
        await using var bro = BroProcess.Start("--frobnicate");

        Assert.Equal(2, await bro.WaitForExitAsync());
        Assert.Contains("Unknown option '--frobnicate'", bro.Output);
        Assert.Contains("Usage:", bro.Output);
        Assert.Contains("bro [command] [options]", bro.Output);
    }
}
