using Akka.Configuration;
using Bro.Configuration;
using Xunit;

namespace Bro.Actors.Tests.Configuration;

public sealed class GatewaySettingsSpec
{
    [Fact]
    public void GatewaySettings_loads_the_defaults_from_the_embedded_reference_conf()
    {
        var settings = GatewaySettings.Create(ConfigurationFactory.Empty);

        Assert.Equal(GatewaySettings.Default, settings);
        Assert.Equal("/tmp/bro-gateway.sock", settings.SocketPath);
        Assert.Equal(16 * 1024 * 1024, settings.MaxFrameSize);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.HeartbeatTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.RequestTimeout);
        Assert.Equal(100, settings.MaxDepth);
        Assert.Equal(32L * 1024 * 1024, settings.OutboundQueueLimit);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.PendingSweepInterval);
        Assert.False(settings.Debug);
        Assert.Equal("bro", settings.GatewayName);
    }

    [Fact]
    public void GatewaySettings_applies_overrides_and_derives_the_heartbeat_timeout_from_the_interval()
    {
        var settings = GatewaySettings.Create(ConfigurationFactory.ParseString("""
            bro.gateway {
              socket-path = "/run/bro.sock"
              max-frame-size = 1 MiB
              heartbeat-interval = 10s
              request-timeout = 5s
              max-depth = 7
              outbound-queue-limit = 50 KiB
              pending-sweep-interval = 250ms
              debug = on
              gateway-name = "edge"
            }
            """));

        Assert.Equal("/run/bro.sock", settings.SocketPath);
        Assert.Equal(1024 * 1024, settings.MaxFrameSize);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.HeartbeatTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.RequestTimeout);
        Assert.Equal(7, settings.MaxDepth);
        Assert.Equal(50L * 1024, settings.OutboundQueueLimit);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.PendingSweepInterval);
        Assert.True(settings.Debug);
        Assert.Equal("edge", settings.GatewayName);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.HeartbeatCheckInterval); // untouched default
    }

    [Fact]
    public void GatewaySettings_takes_an_explicit_heartbeat_timeout()
    {
        var settings = GatewaySettings.Create(ConfigurationFactory.ParseString("bro.gateway.heartbeat-timeout = 7s"));

        Assert.Equal(TimeSpan.FromSeconds(7), settings.HeartbeatTimeout);
        Assert.Equal(TimeSpan.FromSeconds(6), (settings with { HeartbeatTimeout = TimeSpan.FromSeconds(6) }).HeartbeatTimeout);
    }

    [Fact]
    public void GatewaySettings_rejects_values_out_of_range()
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            GatewaySettings.Create(ConfigurationFactory.ParseString("bro.gateway.max-depth = 0")));
        Assert.Contains("max-depth", error.Message);
    }

    [Fact]
    public void GatewaySettings_reads_the_socket_mode_in_octal_and_defaults_to_0660()
    {
        Assert.Equal((UnixFileMode)0x1B0, GatewaySettings.Create(ConfigurationFactory.Empty).SocketMode);
        Assert.Equal((UnixFileMode)0x180,
            GatewaySettings.Create(ConfigurationFactory.ParseString("bro.gateway.socket-mode = \"600\"")).SocketMode);

        var error = Assert.Throws<ConfigurationException>(() =>
            GatewaySettings.Create(ConfigurationFactory.ParseString("bro.gateway.socket-mode = \"0990\"")));
        Assert.Contains("socket-mode", error.Message);
    }

    [Fact]
    public void GatewaySettings_has_no_policy_by_default()
    {
        Assert.Null(GatewaySettings.Create(ConfigurationFactory.Empty).Policy);
        Assert.Null(GatewaySettings.Default.Policy);
    }

    [Fact]
    public void GatewaySettings_reads_the_policy_rules_by_name()
    {
        var settings = GatewaySettings.Create(ConfigurationFactory.ParseString("""
            bro.gateway.policy.rules {
              payments {
                uids = [1001, 1002]
                register = ["payments", "payments-*"]
                call = ["users"]
                allow-pool-from-other-process = on
              }
              readers {
                gids = [2000]
                call = ["*"]
              }
            }
            """));

        var rules = settings.Policy!.Rules.OrderBy(r => r.Name).ToArray();
        Assert.Equal(["payments", "readers"], rules.Select(r => r.Name));
        Assert.Equal([1001u, 1002u], rules[0].Uids);
        Assert.Empty(rules[0].Gids);
        Assert.Equal(["payments", "payments-*"], rules[0].Register);
        Assert.Equal(["users"], rules[0].Call);
        Assert.True(rules[0].AllowPoolFromOtherProcess);
        Assert.Equal([2000u], rules[1].Gids);
        Assert.Empty(rules[1].Register);
        Assert.False(rules[1].AllowPoolFromOtherProcess);
    }

    [Theory]
    [InlineData("r { register = [\"a\"] }", "names no uids and no gids")]
    [InlineData("r { uids = [\"root\"] }", "'root' is not a numeric id")]
    [InlineData("r { uids = [1], allow-pool-from-other-processes = on }", "allow-pool-from-other-processes is not a policy rule key")]
    [InlineData("r { uids = [1], call = [\"\"] }", "an empty pattern")]
    public void GatewaySettings_rejects_a_policy_rule_that_would_not_mean_what_it_says(string rule, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            GatewaySettings.Create(ConfigurationFactory.ParseString("bro.gateway.policy.rules { " + rule + " }")));
        Assert.Contains("bro.gateway.policy.rules.r", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("round-robin", Bro.Routing.BalancingStrategy.RoundRobin)]
    [InlineData("least-in-flight", Bro.Routing.BalancingStrategy.LeastInFlight)]
    [InlineData("Random", Bro.Routing.BalancingStrategy.Random)]
    public void GatewaySettings_reads_the_default_balancing_of_groups_and_pools(string name, Bro.Routing.BalancingStrategy expected)
    {
        var settings = GatewaySettings.Create(ConfigurationFactory.ParseString($"bro.gateway.default-balancing = {name}"));

        Assert.Equal(expected, settings.DefaultBalancing);
        Assert.Equal(Bro.Routing.BalancingStrategy.RoundRobin, GatewaySettings.Default.DefaultBalancing);
    }

    [Fact]
    public void GatewaySettings_rejects_an_unknown_default_balancing_for_groups()
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            GatewaySettings.Create(ConfigurationFactory.ParseString("bro.gateway.default-balancing = fastest")));
        Assert.Equal("bro.gateway.default-balancing must be one of round-robin, least-in-flight, random, was 'fastest'", error.Message);
    }
}
