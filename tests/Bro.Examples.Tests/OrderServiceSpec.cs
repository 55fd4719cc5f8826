using System.Text.RegularExpressions;
using Bro.Examples.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Examples.Tests;

/// <summary>examples/OrderService: nested calls order -> user and order -> payment in one process.</summary>
public sealed partial class OrderServiceSpec(ITestOutputHelper log)
{
    [Fact]
    public async Task OrderService_nested_calls_share_the_root_and_grow_the_chain_and_an_inner_error_reaches_the_caller()
    {
        var (exitCode, lines) = await ExampleProcess.RunAsync("OrderService", log);

        Assert.Equal(0, exitCode);
        var handled = lines.Select(l => HandlerLine().Match(l)).Where(m => m.Success).ToList();
        var firstOrder = handled.Take(3).Select(m => (m.Groups["handler"].Value, m.Groups["depth"].Value, m.Groups["chain"].Value));
        Assert.Equal(
        [
            ("order-service.createOrder", "2", "shop -> order-service"),
            ("user-service.getUserById", "3", "shop -> order-service -> user-service"),
            ("payment-service.processPayment", "3", "shop -> order-service -> payment-service"),
        ], firstOrder);
        Assert.Single(handled.Take(3).Select(m => m.Groups["root"].Value).Distinct());
        Assert.Contains("createOrder -> order 1001 for Ada Lovelace: 2 items, 42.50 EUR, paid by txn-1001", lines);

        // The second order is another chain: a root of its own, and no payment for an unknown user.
        Assert.Equal(["order-service.createOrder", "user-service.getUserById"], handled.Skip(3).Select(m => m.Groups["handler"].Value));
        Assert.NotEqual(handled[0].Groups["root"].Value, handled[3].Groups["root"].Value);
        Assert.Contains("createOrder for user 7 -> USER_NOT_FOUND: User 7 not found", lines);
    }

    [GeneratedRegex(@"^(?<handler>\S+)\s+root (?<root>\S+)\s+depth (?<depth>\d+)\s+chain (?<chain>.+)$")]
    private static partial Regex HandlerLine();
}
