using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bro.Bench.Grpc;

/// <summary>
/// The <c>grpc-server</c> role: gRPC's counterpart of the Bro callee and gateway together, a
/// Kestrel server answering <see cref="EchoService"/> over HTTP/2 without TLS (h2c) on the Unix
/// socket <c>--socket</c>. Prints <c>ready</c> once listening and runs until stdin closes.
/// </summary>
/// <remarks>
/// Configured as a .NET team would for this workload and no further: message limits raised
/// (<see cref="GrpcLimits.MaxMessageSize"/>) so 1 MB fits with room, and 1,000 concurrent streams
/// per connection (Kestrel's default is 100) so the pipelined shape really has 1,000 calls in
/// flight on the one connection instead of queueing them in the client. Flow-control windows,
/// thread pool and GC stay at their defaults; logging is off below warnings, as in production.
/// </remarks>
internal static class GrpcServerRole
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var socket = options.Sockets[0];
        File.Delete(socket);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.Http2.MaxStreamsPerConnection = GrpcLimits.MaxStreamsPerConnection;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.ListenUnixSocket(socket, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = GrpcLimits.MaxMessageSize;
            grpc.MaxSendMessageSize = GrpcLimits.MaxMessageSize;
        });

        await using var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;
    }
}
