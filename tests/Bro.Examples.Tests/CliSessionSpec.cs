using System.Text.RegularExpressions;
using Bro.Examples.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Examples.Tests;

/// <summary>examples/CliSession: `bro services`, `call`, `monitor` and `status` against a gateway with two services.</summary>
public sealed class CliSessionSpec(ITestOutputHelper log)
{
    [Fact]
    public async Task CliSession_shows_the_services_a_call_its_error_the_monitored_call_and_the_status()
    {
        var (exitCode, lines) = await ExampleProcess.RunAsync("CliSession", log);

        Assert.Equal(0, exitCode);
        var services = Section(lines, "$ bro services");
        Assert.StartsWith("NAME", services[0]);
        Assert.Contains(services, l => Regex.IsMatch(l, @"^user-service\s+getUserById\s+1\s+1\s+json\s"));
        Assert.Contains(services, l => l.StartsWith("order-service ", StringComparison.Ordinal));

        Assert.Equal(["{", "  \"id\": 1,", "  \"name\": \"Ada Lovelace\"", "}"], Section(lines, """$ bro call user-service getUserById '{"id":1}'"""));
        Assert.Equal(["USER_NOT_FOUND: User 0 not found", "(exit code 1)"], Section(lines, """$ bro call user-service getUserById '{"id":0}'"""));

        var monitor = Section(lines, "$ bro monitor");
        Assert.EndsWith("Ctrl+C to stop.", monitor[0]);
        Assert.Matches(@"CALL\s+req-\S+\s+order-service -> user-service\.getUserById\s+root \S+ depth 2$", monitor[1]);
        Assert.Matches(@"RESPONSE\s+req-\S+\s+user-service\.getUserById -> order-service success ", monitor[2]);

        var status = Section(lines, "$ bro status");
        Assert.StartsWith("gateway          bro ", status[0]);
        Assert.Contains("connections      3", status);   // the two services and the `bro status` command itself
        Assert.Contains("errors           none", status);
    }

    // The lines a command printed: from the one after its prompt to the next prompt (or a ^C).
    private static IReadOnlyList<string> Section(IReadOnlyList<string> lines, string prompt) =>
        [.. lines.SkipWhile(l => l != prompt).Skip(1).TakeWhile(l => !l.StartsWith("$ bro ", StringComparison.Ordinal) && l != "^C")];
}
