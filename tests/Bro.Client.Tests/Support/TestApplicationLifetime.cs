using Microsoft.Extensions.Hosting;

namespace Bro.Client.Tests.Support;

/// <summary>
/// The one piece of a generic host Akka.Hosting needs besides DI and logging, for the specs that
/// drive the host's start and stop by hand rather than build a whole host.
/// </summary>
public sealed class TestApplicationLifetime : IHostApplicationLifetime, IDisposable
{
    private readonly CancellationTokenSource _started = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _stopped = new();

    /// <inheritdoc />
    public CancellationToken ApplicationStarted => _started.Token;

    /// <inheritdoc />
    public CancellationToken ApplicationStopping => _stopping.Token;

    /// <inheritdoc />
    public CancellationToken ApplicationStopped => _stopped.Token;

    /// <inheritdoc />
    public void StopApplication() => _stopping.Cancel();

    /// <inheritdoc />
    public void Dispose()
    {
        _started.Dispose();
        _stopping.Dispose();
        _stopped.Dispose();
    }
}
