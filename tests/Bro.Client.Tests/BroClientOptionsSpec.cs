using Akka.Configuration;
using Xunit;

namespace Bro.Client.Tests;

public sealed class BroClientOptionsSpec
{
    [Fact]
    public void The_reference_config_holds_the_documented_defaults()
    {
        var options = BroClientOptions.FromConfig(ConfigurationFactory.ParseString("bro.client.service-name = order-service"));
        var defaults = new BroClientOptions { ServiceName = "order-service" };

        Assert.Equal(defaults, options);
        Assert.Equal("/tmp/bro-gateway.sock", options.GatewayPath);
        Assert.True(options.AutoReconnect);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ReconnectDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.HeartbeatInterval);
        Assert.Equal(BroSerializer.Json, options.Serializer);
        Assert.Equal(1, options.PoolSize);
        Assert.False(options.Debug);
        Assert.Equal(256, options.MaxConcurrentHandlers);
    }

    [Fact]
    public void Every_kebab_case_key_of_bro_client_is_read()
    {
        var options = BroClientOptions.FromConfig(ConfigurationFactory.ParseString("""
            bro.client {
              service-name = user-service
              gateway-path = "/tmp/x.sock"
              auto-reconnect = off
              reconnect-delay = 250ms
              timeout = 2s
              heartbeat-interval = 10s
              serializer = msgpack
              pool-size = 3
              debug = on
              version = "1.2.3"
              max-concurrent-handlers = 8
            }
            """));

        Assert.Equal("user-service", options.ServiceName);
        Assert.Equal("/tmp/x.sock", options.GatewayPath);
        Assert.False(options.AutoReconnect);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.ReconnectDelay);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.HeartbeatInterval);
        Assert.Equal(BroSerializer.MessagePack, options.Serializer);
        Assert.Equal(3, options.PoolSize);
        Assert.True(options.Debug);
        Assert.Equal("1.2.3", options.Version);
        Assert.Equal(8, options.MaxConcurrentHandlers);
    }

    [Fact]
    public void A_handler_limit_below_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new BroClient(new BroClientOptions { ServiceName = "a", MaxConcurrentHandlers = 0 }));

    [Fact]
    public void An_unknown_serializer_is_a_configuration_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => BroClientOptions.FromConfig(
            ConfigurationFactory.ParseString("bro.client { service-name = a, serializer = xml }")));
        Assert.Contains("xml", error.Message);
    }

    [Fact]
    public async Task A_client_without_a_service_name_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new BroClient(ConfigurationFactory.Empty));
        await using var client = new BroClient(ConfigurationFactory.ParseString("bro.client.service-name = ok"));
        Assert.Equal("ok", client.ServiceName);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public void The_group_keys_of_bro_client_are_read_and_default_to_no_group()
    {
        var options = BroClientOptions.FromConfig(ConfigurationFactory.ParseString("""
            bro.client {
              service-name = user-service
              group = on
              instance-id = users-1
              balance = least-in-flight
            }
            """));
        var defaults = BroClientOptions.FromConfig(ConfigurationFactory.ParseString("bro.client.service-name = a"));

        Assert.Equal((true, "users-1", Routing.BalancingStrategy.LeastInFlight), (options.Group, options.InstanceId, options.Balance));
        Assert.False(defaults.Group);
        Assert.Null(defaults.InstanceId);
        Assert.Null(defaults.Balance);
    }

    [Fact]
    public void An_unknown_group_balance_is_a_configuration_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => BroClientOptions.FromConfig(
            ConfigurationFactory.ParseString("bro.client { service-name = a, group = on, balance = fastest }")));
        Assert.Equal("bro.client.balance must be empty or one of round-robin, least-in-flight, random, was 'fastest'", error.Message);
    }
}
