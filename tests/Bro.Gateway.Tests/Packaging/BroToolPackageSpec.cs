using System.Text.RegularExpressions;
using Xunit;

namespace Bro.Gateway.Tests.Packaging;

/// <summary>
/// The Bro.Gateway package is the <c>bro</c> command once installed: <c>dotnet tool install</c>
/// from the packed folder gives a <c>bro</c> that runs and knows its commands and its version.
/// </summary>
public sealed class BroToolPackageSpec(InstalledBroTool tool) : IClassFixture<InstalledBroTool>
{
    [Fact]
    public async Task Installed_bro_help_names_bro_and_lists_its_commands()
    {
        var help = await InstalledBroTool.RunAsync(tool.Command, "--help");

        Assert.Matches(@"(?m)^Usage:\s+bro \[command\] \[options\]", help);
        var commands = help[help.IndexOf("Commands:", StringComparison.Ordinal)..];
        foreach (var command in new[] { "serve", "services", "call", "monitor", "status", "ping" })
            Assert.Matches($@"(?m)^\s+{command}\b", commands);
    }

    [Fact]
    public async Task Installed_bro_reports_the_version_of_its_package()
    {
        var version = await InstalledBroTool.RunAsync(tool.Command, "--version");

        // The informational version: the package's, then "+commit" when built from git.
        Assert.Matches($@"^{Regex.Escape(tool.Version)}(\+[0-9a-f]+)?\s*$", version);
    }
}
