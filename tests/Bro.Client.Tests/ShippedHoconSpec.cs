using Akka.Configuration;
using Bro.Configuration;
using Xunit;

namespace Bro.Client.Tests;

/// <summary>The commented files in HOCON/ parse, and state the defaults the code really uses.</summary>
public sealed class ShippedHoconSpec
{
    private static Config Load(string name) =>
        ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "HOCON", name)));

    [Fact]
    public void Gateway_hocon_parses_and_resolves_to_the_default_settings()
    {
        var settings = GatewaySettings.Create(Load("gateway.hocon"));

        Assert.Equal(GatewaySettings.Default, settings);
    }

    [Fact]
    public void Client_hocon_parses_and_resolves_to_the_default_options()
    {
        var options = BroClientOptions.FromConfig(Load("client.hocon"));

        Assert.Equal(new BroClientOptions { ServiceName = "my-service" }, options);
    }
}
