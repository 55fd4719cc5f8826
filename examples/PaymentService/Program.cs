using Bro.Client;
using Bro.Examples.PaymentService;
using Bro.Examples.Shared;
using Bro.Protocol;

// The gateway at BRO_SOCKET, else an in-process one of our own (examples/README.md).
await using var gateway = await ExampleGateway.FindOrStartAsync();

var payments = new Payments();
await using var service = new BroClient(new BroClientOptions { ServiceName = "payment-service", GatewayPath = gateway.SocketPath });
service.RegisterMethod<PaymentRequest, Payment>("processPayment", (request, _) => Task.FromResult(payments.Process(request)));
service.RegisterMethod<RefundRequest, Payment>("refundPayment", (request, _) => Task.FromResult(payments.Refund(request)));
await service.ConnectAsync();
Console.WriteLine($"payment-service registered: {string.Join(", ", service.GetRegisteredMethods())}");

await using var checkout = new BroClient(new BroClientOptions { ServiceName = "checkout", GatewayPath = gateway.SocketPath });
await checkout.ConnectAsync();

var paid = await Call("processPayment", new PaymentRequest(1001, 42.50m, "EUR"));
await Call("processPayment", new PaymentRequest(1002, 5_000m, "EUR"));
await Call("refundPayment", new RefundRequest(paid!.TransactionId));
await Call("refundPayment", new RefundRequest(paid.TransactionId));

// Prints one call's outcome: the payment, or the error code the service chose.
async Task<Payment?> Call(string method, object request)
{
    try
    {
        var payment = await checkout.CallAsync<Payment>("payment-service", method, request);
        Console.WriteLine($"{method} -> {payment!.Status} {payment.TransactionId}: order {payment.OrderId}, {payment.Amount} {payment.Currency}");
        return payment;
    }
    catch (BroException e)
    {
        Console.WriteLine($"{method} -> {e.Code}: {e.Message}");
        return null;
    }
}
