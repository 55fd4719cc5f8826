using System.Collections;
using Bro.Gateway;
using Bro.Configuration;
using Xunit;

namespace Bro.Gateway.Tests;

/// <summary>How the console layers its sources of configuration.</summary>
public sealed class GatewayConfigurationSpec : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void A_config_file_overrides_the_defaults_and_the_command_line_overrides_the_file()
    {
        File.WriteAllText(_file, """
            bro.gateway {
              socket-path = "/tmp/from-file.sock"
              max-depth = 7
            }
            """);

        var config = GatewayConfiguration.Load(GatewayCommandLine.Parse(["--config", _file, "--socket", "/tmp/from-arg.sock"], new Hashtable()));
        var settings = GatewaySettings.Create(config);

        Assert.Equal("/tmp/from-arg.sock", settings.SocketPath);
        Assert.Equal(7, settings.MaxDepth);
        Assert.Equal(GatewaySettings.Default.HeartbeatInterval, settings.HeartbeatInterval);
    }

    [Fact]
    public void A_missing_config_file_is_a_clear_error()
    {
        var error = Assert.Throws<IOException>(() =>
            GatewayConfiguration.Load(GatewayCommandLine.Parse(["--config", "/no/such/bro.hocon"], new Hashtable())));

        Assert.Contains("'/no/such/bro.hocon' does not exist", error.Message);
    }

    [Fact]
    public void Debug_lowers_the_log_level()
    {
        var config = GatewayConfiguration.Load(GatewayCommandLine.Parse(["--debug"], new Hashtable()));

        Assert.Equal("DEBUG", config.GetString("akka.loglevel"));
    }
}
