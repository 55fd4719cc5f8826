using Grpc.Core;

namespace Bro.Bench.Grpc;

/// <summary>The unary echo: answers each request with the same message, payload untouched.</summary>
internal sealed class EchoService : Echoer.EchoerBase
{
    public override Task<EchoMessage> Echo(EchoMessage request, ServerCallContext context) => Task.FromResult(request);
}
