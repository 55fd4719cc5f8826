using Akka.Hosting;
using Bro.Client;
using Bro.Client.Hosting;
using Bro.Configuration;
using Bro.Examples.Shared;
using Bro.Examples.TypedContract;
using Bro.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddAkka("typed-contract", akka => akka.ConfigureLoggers(loggers =>
{
    loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
    loggers.ClearLoggers();
    loggers.AddLoggerFactory();
}));

// The gateway at BRO_SOCKET, else one this host runs (examples/README.md). Hosted services start
// in the order they are added: the gateway before its clients.
var socket = ExampleGateway.ListenPath;
if (ExampleGateway.GivenSocket is null)
    builder.Services.AddBroGateway(GatewaySettings.Default with { SocketPath = socket });

// user-service serves the contract: one UserService per call, from DI.
builder.Services.AddBroClient(new BroClientOptions { ServiceName = "user-service", GatewayPath = socket })
    .Serve<IUserService, UserService>();

// order-service calls it: the generated proxy is injected as IUserService. With two clients in
// one host, the proxy names the client that makes its calls.
builder.Services.AddBroClient(new BroClientOptions { ServiceName = "order-service", GatewayPath = socket });
builder.Services.AddBroService<IUserService>("order-service");
builder.Services.AddHostedService<Checkout>();

await builder.Build().RunAsync();
