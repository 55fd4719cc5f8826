using System.Collections;
using Akka.Configuration;
using Bro.Gateway;
using Bro.Configuration;
using Xunit;

namespace Bro.Gateway.Tests;

/// <summary>The console's options, from arguments and environment, down to settings.</summary>
public sealed class GatewayCommandLineSpec
{
    private static GatewaySettings Settings(string[] args, IDictionary? environment = null)
    {
        var commandLine = GatewayCommandLine.Parse(args, environment ?? new Hashtable());
        return GatewaySettings.Create(ConfigurationFactory.ParseString(commandLine.HoconOverrides));
    }

    [Fact]
    public void No_options_give_the_defaults()
    {
        Assert.Equal(GatewaySettings.Default, Settings([]));
    }

    [Fact]
    public void Every_option_reaches_its_setting()
    {
        var settings = Settings(["--socket", "/tmp/x y.sock", "--heartbeat-interval", "2s", "--timeout=1500",
            "--max-frame-size", "1MiB", "--debug"]);

        Assert.Equal("/tmp/x y.sock", settings.SocketPath);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(6), settings.HeartbeatTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), settings.RequestTimeout);
        Assert.Equal(1024 * 1024, settings.MaxFrameSize);
        Assert.True(settings.Debug);
    }

    [Fact]
    public void The_environment_sets_options_and_the_command_line_overrides_it()
    {
        var environment = new Hashtable
        {
            ["BRO_SOCKET"] = "/tmp/env.sock",
            ["BRO_MAX_FRAME_SIZE"] = "65536",
            ["BRO_DEBUG"] = "yes",
            ["BRO_CONFIG"] = "/etc/bro.hocon",
        };

        var commandLine = GatewayCommandLine.Parse(["--socket", "/tmp/arg.sock"], environment);
        var settings = GatewaySettings.Create(ConfigurationFactory.ParseString(commandLine.HoconOverrides));

        Assert.Equal("/tmp/arg.sock", settings.SocketPath);
        Assert.Equal(65536, settings.MaxFrameSize);
        Assert.True(settings.Debug);
        Assert.Equal("/etc/bro.hocon", commandLine.ConfigFile);
    }

    [Theory]
    [InlineData("--frobnicate", "Unknown option '--frobnicate'")]
    [InlineData("--socket", "Option '--socket' needs a value")]
    [InlineData("--timeout=soon", "'soon' is not a duration")]
    [InlineData("--timeout=0", "must be positive")]
    [InlineData("--max-frame-size=huge", "'huge' is not a size")]
    [InlineData("--debug=maybe", "'maybe' is not true or false")]
    public void A_bad_option_is_refused_with_a_message_naming_it(string arg, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => GatewayCommandLine.Parse(arg.Split(' '), new Hashtable()));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Help_is_recognised()
    {
        Assert.True(GatewayCommandLine.Parse(["--help"], new Hashtable()).ShowHelp);
    }

    [Fact]
    public void Cluster_options_give_the_cluster_settings_with_every_seed_node()
    {
        var settings = Settings(["--cluster-port", "4053", "--cluster-host", "10.0.0.2",
            "--seed-node", "akka.tcp://bro@10.0.0.1:4053", "--seed-node", "akka.tcp://bro@10.0.0.2:4053"]).Cluster!;

        Assert.Equal((4053, "10.0.0.2"), (settings.Port, settings.Hostname));
        Assert.Equal(["akka.tcp://bro@10.0.0.1:4053", "akka.tcp://bro@10.0.0.2:4053"], settings.SeedNodes.ToArray());
    }

    [Fact]
    public void Cluster_settings_come_from_the_environment_with_seed_nodes_comma_separated()
    {
        var settings = Settings([], new Hashtable
        {
            ["BRO_CLUSTER_PORT"] = "4054",
            ["BRO_SEED_NODES"] = "akka.tcp://bro@10.0.0.1:4053, akka.tcp://bro@10.0.0.3:4053",
        }).Cluster!;

        Assert.Equal(4054, settings.Port);
        Assert.Equal(["akka.tcp://bro@10.0.0.1:4053", "akka.tcp://bro@10.0.0.3:4053"], settings.SeedNodes.ToArray());
    }

    [Fact]
    public void A_cluster_port_that_is_not_a_port_number_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Settings(["--cluster-port", "70000"]));
        Assert.Contains("--cluster-port", error.Message);
    }
}
