using Akka.Configuration;
using Bro.Configuration;
using Bro.Federation;
using Xunit;

namespace Bro.Actors.Tests.Federation;

/// <summary><c>bro.gateway.cluster</c> read from HOCON, and what the settings show of themselves.</summary>
public sealed class FederationSettingsSpec
{
    [Fact]
    public void A_gateway_without_a_cluster_port_is_a_single_host_gateway()
    {
        Assert.Null(GatewaySettings.Create(Config.Empty).Cluster);
    }

    [Fact]
    public void The_cluster_section_gives_port_host_seed_nodes_and_routing_choice()
    {
        var settings = GatewaySettings.Create(ConfigurationFactory.ParseString("""
            bro.gateway.cluster {
              port = 4053
              hostname = "10.0.0.2"
              seed-nodes = ["akka.tcp://bro@10.0.0.1:4053", "akka.ssl.tcp://bro@10.0.0.3:4053"]
              prefer-local = off
              secret = "s3cret"
              data-port = 4054
              max-handshakes = 4
              handshake-timeout = 2s
            }
            """)).Cluster!;

        Assert.Equal((4053, "10.0.0.2", false, "s3cret"), (settings.Port, settings.Hostname, settings.PreferLocal, settings.Secret));
        Assert.Equal((4054, 4, TimeSpan.FromSeconds(2)), (settings.DataPort, settings.MaxHandshakes, settings.HandshakeTimeout));
        Assert.Equal(["akka.tcp://bro@10.0.0.1:4053", "akka.ssl.tcp://bro@10.0.0.3:4053"], settings.SeedNodes.ToArray());
    }

    [Theory]
    [InlineData("data-port = 70000", "data-port")]
    [InlineData("max-handshakes = 0", "max-handshakes")]
    [InlineData("handshake-timeout = 0s", "handshake-timeout")]
    public void A_data_port_setting_out_of_range_is_a_configuration_error(string setting, string named)
    {
        var error = Assert.Throws<ConfigurationException>(() => GatewaySettings.Create(ConfigurationFactory.ParseString(
            $"bro.gateway.cluster {{ port = 4053, {setting} }}")));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void A_seed_node_that_is_not_an_address_of_a_bro_system_is_a_configuration_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => GatewaySettings.Create(ConfigurationFactory.ParseString(
            """bro.gateway.cluster { port = 4053, seed-nodes = ["akka.tcp://other@10.0.0.1:4053"] }""")));
        Assert.Contains("akka.tcp://other@10.0.0.1:4053", error.Message);
    }

    [Fact]
    public void Printed_settings_never_show_the_secret()
    {
        var text = (GatewaySettings.Default with { Cluster = new FederationSettings { Port = 1, Secret = "s3cret" } }).ToString();
        Assert.DoesNotContain("s3cret", text);
        Assert.Contains("Secret = ***", text);
    }
}
