using Bro.Protocol;

namespace Bro.Bench;

/// <summary>
/// A chaos callee: a service of <c>pool</c> connections answering <c>echo</c>, <c>sleep</c> (both
/// return their params),
/// <c>fail</c> (a handler error with its own code, <see cref="FailCode"/>) and, given a
/// ledger, <c>nested</c> (a call to another service with the received context extended, so the
/// inner call keeps the outer one's root and deadline). Runs in the driver or, for the one
/// killed with SIGKILL, in a process of its own (<see cref="ChaosCalleeRole"/>).
/// </summary>
/// <remarks>
/// Connections can be closed abruptly (<see cref="Abort"/>) with calls in flight and come back
/// with <see cref="StartAsync"/>, which registers again: the first connection as the service,
/// the others joining its pool. Until the gateway has seen the old connection go, the name is
/// still taken; a refused REGISTER is retried, as a restarting service would. A connection the
/// gateway closes is unexpected, unless the service is <c>droppable</c> (it stops reading on
/// purpose, long enough to be dropped as a slow consumer): then it is counted.
/// </remarks>
internal sealed class ChaosService(
    string path, BroEncoding encoding, string name, int pool, ChaosLedger? ledger, int readerCapacity = ChaosPeer.DefaultReaderCapacity,
    bool droppable = false) : IDisposable
{
    /// <summary>The code <c>fail</c> answers with: a handler's own code passes through the gateway unchanged.</summary>
    public const string FailCode = "CHAOS_FAILED";

    /// <summary>What every chaos service answers (<c>nested</c> only with a ledger to book its inner calls).</summary>
    private static readonly IReadOnlyList<string> Methods = ["echo", "sleep", "fail", "nested"];

    private static readonly TimeSpan RegisterRetry = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RegisterPatience = TimeSpan.FromSeconds(10);

    private readonly ChaosPeer?[] _connections = new ChaosPeer?[pool];
    private int _generation;
    private int _registerRefusals;
    private int _dropped;

    public string Name => name;

    /// <summary>REGISTERs refused because the gateway still held the name of a connection that had gone.</summary>
    public int RegisterRefusals => Volatile.Read(ref _registerRefusals);

    /// <summary>Connections the gateway closed (a droppable service's, as a slow consumer).</summary>
    public int DroppedByGateway => Volatile.Read(ref _dropped);

    /// <summary>Connects every pool member that is not connected.</summary>
    public async Task StartAsync(CancellationToken cancellation)
    {
        for (var member = 0; member < pool; member++)
        {
            if (_connections[member] is { Reading.IsCompleted: false })
                continue;
            _connections[member] = await ConnectAsync(member, cancellation);
        }
    }

    /// <summary>Closes one member's connection (or all of them) at once, calls in flight and all.</summary>
    public void Abort(int? member = null)
    {
        for (var i = 0; i < pool; i++)
        {
            if (member is null || member == i)
                _connections[i]?.Dispose();
        }
    }

    /// <summary>Stops reading on every connection for <paramref name="pause"/>.</summary>
    public void PauseReading(TimeSpan pause)
    {
        foreach (var connection in _connections)
            connection?.PauseReading(pause);
    }

    public void Dispose() => Abort();

    private async Task<ChaosPeer> ConnectAsync(int member, CancellationToken cancellation)
    {
        var patience = DateTime.UtcNow + RegisterPatience;
        while (true)
        {
            var owner = $"{name}#{member}.{Interlocked.Increment(ref _generation)}";
            var book = ledger is null ? null : new CallBook(ledger, owner, ChaosExpectations.Calls, judgesLateness: true);
            try
            {
                var peer = await ChaosPeer.ConnectAsync(path, encoding, name, member == 0 ? null : member, Methods,
                    (peer, message) => OnMessage(peer, message, book), cancellation, readerCapacity);
                _ = peer.Reading.ContinueWith(_ => Ended(peer, book), TaskScheduler.Default);
                return peer;
            }
            catch (ChaosRegisterRefusedException) when (DateTime.UtcNow < patience)
            {
                Interlocked.Increment(ref _registerRefusals);
                await Task.Delay(RegisterRetry, cancellation);
            }
        }
    }

    private void Ended(ChaosPeer peer, CallBook? book)
    {
        book?.Abandon(CallBook.ConnectionGone(peer));
        if (peer.Failure is { } failure)
            ledger?.Note($"{name}: {failure.Message}");
        else if (!peer.ClosedHere && droppable)
            Interlocked.Increment(ref _dropped);
        else if (!peer.ClosedHere)
            ledger?.Note($"{name}: the gateway closed a service connection");
    }

    private void OnMessage(ChaosPeer peer, BroMessage message, CallBook? book)
    {
        switch (message)
        {
            case CallMessage call:
                _ = AnswerAsync(peer, call, book);
                break;
            case ResponseMessage response when book is not null:
                book.Answer(response, peer.History);
                break;
            case ErrorMessage error:
                ledger?.Note($"{name}: ERROR frame {error.Error.Code} {error.Error.Message}");
                break;
        }
    }

    private async Task AnswerAsync(ChaosPeer peer, CallMessage call, CallBook? book)
    {
        var reply = call.Method switch
        {
            "echo" => Messages.BuildSuccessResponse(call, name, call.Params),
            "sleep" => await SleepAsync(call),
            "fail" => Messages.BuildErrorResponse(call, new ErrorInfo("failed on purpose", FailCode)),
            "nested" when book is not null => await NestedAsync(peer, call, book),
            _ => Messages.BuildErrorResponse(call, new ErrorInfo($"{name} has no method {call.Method}", ErrorCodes.MethodNotFound)),
        };
        // False when the connection went meanwhile: the gateway answers the caller CONNECTION_LOST.
        await peer.SendAsync(reply);
    }

    private async Task<ResponseMessage> SleepAsync(CallMessage call)
    {
        await Task.Delay(call.Params?.Deserialize<ChaosParams>()?.Ms ?? 0);
        // The params come back, as with echo, so the caller can tell its answer from another's.
        return Messages.BuildSuccessResponse(call, name, call.Params);
    }

    private async Task<ResponseMessage> NestedAsync(ChaosPeer peer, CallMessage call, CallBook book)
    {
        var parameters = call.Params?.Deserialize<ChaosParams>() ?? new ChaosParams();
        var next = parameters.Next ?? throw new InvalidDataException($"{name}.nested needs params.next");
        var inner = await book.CallAsync(peer, next, parameters.NextMethod ?? "sleep",
            RawValue.FromObject(new ChaosParams(parameters.Ms), peer.Encoding), CallContexts.Extend(call.Context, next));
        return inner switch
        {
            null => Messages.BuildErrorResponse(call, new ErrorInfo($"{name}'s connection went during the nested call", ErrorCodes.ConnectionLost)),
            { Status: ResponseStatus.Success } => Messages.BuildSuccessResponse(call, name, inner.Data),
            _ => Messages.BuildErrorResponse(call, inner.Error ?? new ErrorInfo("nested call failed without an error")),
        };
    }
}
