using Akka.Hosting;
using Bro.Client;
using Bro.Client.Hosting;
using Bro.Configuration;
using Bro.Examples.HealthEndpoint;
using Bro.Examples.Shared;
using Bro.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

var builder = WebApplication.CreateBuilder(args);

// This example is a gateway: it listens at BRO_SOCKET, else at a path of its own (examples/README.md).
var socket = ExampleGateway.ListenPath;

// The gateway and a client run on the host's actor system; Akka logs through the host's loggers.
builder.Services.AddAkka("health-endpoint", akka => akka.ConfigureLoggers(loggers =>
{
    loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
    loggers.ClearLoggers();
    loggers.AddLoggerFactory();
}));
// Hosted services start in the order they are added: the gateway before its client.
builder.Services.AddBroGateway(GatewaySettings.Default with { SocketPath = socket });
builder.Services.AddBroClient(new BroClientOptions { ServiceName = "order-service", GatewayPath = socket });

// bro-gateway is healthy while the gateway listens; bro-client-order-service while the client
// is registered (not while it reconnects).
builder.Services.AddHealthChecks()
    .AddBroGateway()
    .AddBroClient("order-service");

var app = builder.Build();
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
app.Run();
