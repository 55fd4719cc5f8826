using Bro.Client;
using Bro.Examples.AnalyticsService;
using Bro.Examples.Shared;

// The gateway at BRO_SOCKET, else an in-process one of our own (examples/README.md).
await using var gateway = await ExampleGateway.FindOrStartAsync();

var analytics = new Analytics();
await using var service = Client("analytics-service");
service.RegisterMethod<TrackedEvent, int>("trackEvent", (e, _) => Task.FromResult(analytics.Track(e)));
service.RegisterMethod<object?, Report>("getReport", (_, _) => Task.FromResult(analytics.Report()));
await service.ConnectAsync();
Console.WriteLine($"analytics-service registered: {string.Join(", ", service.GetRegisteredMethods())}");

// Two services report events at the same time; every call is in flight at once.
await using var web = Client("web-frontend");
await using var orders = Client("order-service");
await Task.WhenAll(web.ConnectAsync(), orders.ConnectAsync());
await Task.WhenAll(
    Track(web, "page_view", 1), Track(web, "page_view", 2), Track(web, "page_view", 1),
    Track(orders, "order_created", 1), Track(orders, "order_created", 3));

var report = await web.CallAsync<Report>("analytics-service", "getReport");
Console.WriteLine($"getReport -> {report!.TotalEvents} events from {report.UniqueUsers} users");
foreach (var (name, count) in report.ByName)
    Console.WriteLine($"  {name,-14} {count}");

BroClient Client(string name) => new(new BroClientOptions { ServiceName = name, GatewayPath = gateway.SocketPath });

static Task<int> Track(BroClient from, string name, int userId) =>
    from.CallAsync<int>("analytics-service", "trackEvent", new TrackedEvent(name, userId));
