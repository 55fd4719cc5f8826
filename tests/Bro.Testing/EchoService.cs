using Bro.Protocol;

namespace Bro.Testing;

/// <summary>
/// A registered service on a <see cref="RawPeer"/> that answers every CALL until disposed:
/// <c>fail</c> with an error RESPONSE (USER_NOT_FOUND, "no such user"), anything else with its params.
/// </summary>
public sealed class EchoService : IAsyncDisposable
{
    private readonly RawPeer _peer;
    private readonly Task _serving;

    private EchoService(RawPeer peer)
    {
        _peer = peer;
        _serving = ServeAsync();
    }

    /// <summary>Registers <paramref name="name"/> (methods <c>echo</c>) and starts answering.</summary>
    public static async Task<EchoService> StartAsync(string path, string name) => new(await RawPeer.RegisterAsync(path, name));

    private async Task ServeAsync()
    {
        try
        {
            while (true)
            {
                if (await _peer.ReadAsync() is not CallMessage call)
                    continue;
                await _peer.SendAsync(call.Method == "fail"
                    ? Messages.BuildErrorResponse(call, new ErrorInfo("no such user", "USER_NOT_FOUND"))
                    : Messages.BuildSuccessResponse(call, data: call.Params), BroEncoding.Json);
            }
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or OperationCanceledException or ObjectDisposedException)
        {
            // Disposed, or the gateway went away: nothing more to answer.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _peer.DisposeAsync();
        await _serving;
    }
}
