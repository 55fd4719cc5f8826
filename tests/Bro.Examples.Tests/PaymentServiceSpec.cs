using Bro.Examples.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Examples.Tests;

/// <summary>examples/PaymentService, run alone.</summary>
public sealed class PaymentServiceSpec(ITestOutputHelper log)
{
    [Fact]
    public async Task PaymentService_approves_declines_refunds_once_and_refuses_a_second_refund()
    {
        var (exitCode, lines) = await ExampleProcess.RunAsync("PaymentService", log);

        Assert.Equal(0, exitCode);
        Assert.Equal(
        [
            "payment-service registered: processPayment, refundPayment",
            "processPayment -> approved txn-0001: order 1001, 42.50 EUR",
            "processPayment -> PAYMENT_DECLINED: 5000 EUR is over the limit of 1000",
            "refundPayment -> refunded txn-0001: order 1001, 42.50 EUR",
            "refundPayment -> ALREADY_REFUNDED: Transaction txn-0001 was already refunded",
        ], lines.Skip(1));
    }
}
