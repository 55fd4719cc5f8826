using Bro.Protocol;

namespace Bro.Bench;

/// <summary>A chaos caller: one registered connection making top-level calls, each booked in its <see cref="CallBook"/>.</summary>
internal sealed class ChaosCaller : IDisposable
{
    private readonly ChaosPeer _peer;
    private readonly CallBook _book;
    private readonly ChaosLedger _ledger;

    private ChaosCaller(ChaosPeer peer, CallBook book, ChaosLedger ledger)
    {
        _peer = peer;
        _book = book;
        _ledger = ledger;
    }

    public BroEncoding Encoding => _peer.Encoding;

    /// <summary>Calls made and not yet ended.</summary>
    public int InFlight => _book.InFlight;

    /// <summary>
    /// Connects and registers <paramref name="name"/>. <paramref name="judgesLateness"/> is false
    /// for a caller that stops reading on purpose: its answers wait in its own socket, so their
    /// lateness is its doing, not the gateway's. Ids are <c>{idPrefix}-{n}</c>, the name by
    /// default; two callers given one prefix send the same ids at once (the gateway must keep
    /// their calls apart).
    /// </summary>
    public static async Task<ChaosCaller> StartAsync(
        string path, BroEncoding encoding, string name, ChaosLedger ledger, bool judgesLateness, CancellationToken cancellation,
        IReadOnlySet<string>? expected = null, int readerCapacity = ChaosPeer.DefaultReaderCapacity, string? idPrefix = null)
    {
        var book = new CallBook(ledger, idPrefix ?? name, expected ?? ChaosExpectations.Calls, judgesLateness);
        var peer = await ChaosPeer.ConnectAsync(path, encoding, name, null, [], (reader, message) =>
        {
            switch (message)
            {
                case ResponseMessage response:
                    book.Answer(response, reader.History);
                    break;
                case ErrorMessage error:
                    ledger.Note($"{name}: ERROR frame {error.Error.Code} {error.Error.Message}");
                    break;
            }
        }, cancellation, readerCapacity);
        _ = peer.Reading.ContinueWith(_ =>
        {
            book.Abandon(CallBook.ConnectionGone(peer));
            if (peer.Failure is { } failure)
                ledger.Note($"{name}: {failure.Message}");
            else if (!peer.ClosedHere)
                ledger.Note($"{name}: the gateway closed this caller's connection");
        }, TaskScheduler.Default);
        return new ChaosCaller(peer, book, ledger);
    }

    /// <summary>
    /// Calls <paramref name="to"/>.<paramref name="method"/> with a fresh context due in
    /// <paramref name="timeout"/>. A successful <c>echo</c> or <c>sleep</c> must bring back what
    /// was sent: another call's answer, or a frame cut or corrupted on the way (forwarded,
    /// transcoded, queued under flow control), is noted.
    /// </summary>
    public async Task<ResponseMessage?> CallAsync(string to, string method, RawValue parameters, TimeSpan timeout)
    {
        var answer = await _book.CallAsync(_peer, to, method, parameters, CallContexts.Create(_peer.Name, timeout));
        if (method is "echo" or "sleep" && answer is { Status: ResponseStatus.Success }
            && answer.Data?.Deserialize<ChaosParams>() != parameters.Deserialize<ChaosParams>())
            _ledger.Note($"{_peer.Name}: {to}.{method} {answer.Id} answered success with other data than it was sent: {Shown(answer.Data)}");
        return answer;
    }

    private static string Shown(RawValue? data) => data?.ToJsonString() is { } json ? json[..Math.Min(json.Length, 80)] : "no data";

    /// <summary>Sends the frame <paramref name="build"/> makes for a booked id and this caller's name (a malformed CALL), and returns its answer.</summary>
    public Task<ResponseMessage?> SendMalformedAsync(Func<string, string, byte[]> build) =>
        _book.SendAsync(_peer, id => build(id, _peer.Name), TimeSpan.FromSeconds(2));

    /// <summary>Stops reading for <paramref name="pause"/> (a slow reader).</summary>
    public void PauseReading(TimeSpan pause) => _peer.PauseReading(pause);

    /// <summary>Ends, as lost, the calls still in flight: the run has waited past all their deadlines.</summary>
    public void LoseRemaining() => _book.LoseRemaining();

    public void Dispose() => _peer.Dispose();
}
