using Bro.Client;
using Bro.Client.Events;
using Bro.Examples.RetryWithBackoff;
using Bro.Examples.Shared;
using Bro.Protocol;

// The gateway at BRO_SOCKET, else an in-process one of our own (examples/README.md).
await using var gateway = await ExampleGateway.FindOrStartAsync();

await using var caller = Client("pricing");
// The client logs each retry it makes as a warning.
caller.Log += (_, e) => { if (e.Level >= BroLogLevel.Warning) Console.WriteLine($"  pricing: {e.Message}"); };
await caller.ConnectAsync();

// 1. A flaky service: its upstream feed fails the first two calls. CallWithRetryAsync retries
//    failed calls with exponential backoff (100 ms, 200 ms, 400 ms, ... capped at 30 s).
await using var rates = Client("exchange-rates");
var attempts = 0;
rates.RegisterMethod<RateRequest, Rate>("getRate", (request, _) =>
{
    var attempt = Interlocked.Increment(ref attempts);
    Console.WriteLine($"  exchange-rates: getRate attempt {attempt}");
    return attempt <= 2
        ? throw new BroException("UPSTREAM_UNAVAILABLE", "the rates feed is down")
        : Task.FromResult(new Rate(request.From, request.To, 1.08m));
});
await rates.ConnectAsync();

var rate = await caller.CallWithRetryAsync<Rate>("exchange-rates", "getRate", new RateRequest("EUR", "USD"),
    maxRetries: 3, retryDelay: TimeSpan.FromMilliseconds(100));
Console.WriteLine($"getRate -> 1 {rate!.From} = {rate.Value} {rate.To} after {attempts} attempts");

// 2. A service that is still starting. CallWithRetryAsync does not retry SERVICE_NOT_FOUND (a
//    missing service usually stays missing), so a caller that knows better waits with Backoff
//    itself. (The gateway already holds a CALL 250 ms for a service about to register.)
await using var inventory = Client("inventory");
inventory.RegisterMethod<StockRequest, Stock>("getStock", (request, _) => Task.FromResult(new Stock(request.Sku, 12)));
var startingLater = Task.Run(async () =>
{
    await Task.Delay(TimeSpan.FromSeconds(1));
    await inventory.ConnectAsync();
});

var stock = await WaitForServiceAsync(() => caller.CallAsync<Stock>("inventory", "getStock", new StockRequest("book-42")));
Console.WriteLine($"getStock -> {stock!.Available} of {stock.Sku} in stock");
await startingLater;

BroClient Client(string name) => new(new BroClientOptions { ServiceName = name, GatewayPath = gateway.SocketPath });

// Retries a call while its service is not registered: 100 ms, 200 ms, 400 ms ... at most 8 times.
static async Task<T> WaitForServiceAsync<T>(Func<Task<T>> call)
{
    for (var attempt = 0; ; attempt++)
    {
        try
        {
            return await call();
        }
        catch (BroException e) when (e.Code == ErrorCodes.ServiceNotFound && attempt < 8)
        {
            var delay = Backoff.Delay(attempt, TimeSpan.FromMilliseconds(100));
            Console.WriteLine($"  {e.Code}; retry {attempt + 1} in {delay.TotalMilliseconds} ms");
            await Task.Delay(delay);
        }
    }
}
