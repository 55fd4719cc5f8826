using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Bro.Protocol;

namespace Bro.Bench;

/// <summary>
/// Malformed frames and strangers, one act at a time until cancelled: garbage payloads, bad and
/// oversized lengths, CALLs with bad context fields or wrong types, a CALL before REGISTER, a
/// taken name, connections that drop at once or mid-frame, and connections that never register.
/// Each act has the answer docs/PROTOCOL.md promises; anything else is noted in the ledger.
/// </summary>
/// <remarks>
/// The malformed CALLs that name an id, a caller and a target go out on two registered
/// connections (JSON and MessagePack) and are booked like any call: exactly one error RESPONSE
/// each, with INVALID_MESSAGE or INVALID_CONTEXT. Their lateness is not judged: they carry no
/// usable deadline.
/// </remarks>
internal sealed class ChaosVandal(string path, ChaosLedger ledger)
{
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(3);

    /// <summary>register-timeout is 10 s: a connection that never registers must be closed by then (plus the check's slack).</summary>
    private static readonly TimeSpan NeverRegisteredWait = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, long> _acts = new(StringComparer.Ordinal);
    private readonly List<Task> _lingering = [];

    /// <summary>How many times each act ran.</summary>
    public IReadOnlyDictionary<string, long> Acts => new SortedDictionary<string, long>(_acts, StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken cancellation)
    {
        var json = await ChaosCaller.StartAsync(path, BroEncoding.Json, "chaos-vandal-json", ledger, judgesLateness: false, cancellation,
            ChaosExpectations.MalformedCalls);
        var msgpack = await ChaosCaller.StartAsync(path, BroEncoding.MessagePack, "chaos-vandal-mp", ledger, judgesLateness: false, cancellation,
            ChaosExpectations.MalformedCalls);
        (string Name, Func<Task> Act)[] acts =
        [
            ("garbage-payload", () => ExpectError("garbage-payload", Frame([0x01, 0x02, 0x03, 0xFF]), register: false, closes: false)),
            ("bad-json", () => ExpectError("bad-json", Frame("{\"type\":\"CALL\",\"id\":"u8), register: true, closes: false)),
            ("zero-length", () => ExpectError("zero-length", Frame([]), register: true, closes: false)),
            ("oversized-length", () => ExpectError("oversized-length", [0x7F, 0xFF, 0xFF, 0xF0, (byte)'{'], register: true, closes: true)),
            ("wrong-types", () => ExpectError("wrong-types", Frame("{\"type\":\"CALL\",\"id\":7,\"from\":[],\"to\":{},\"method\":1}"u8), register: true, closes: false)),
            ("call-before-register", CallBeforeRegister),
            ("taken-name", () => ExpectError("taken-name", [], register: true, closes: true, name: ChaosMix.Nested)),
            ("connect-and-drop", () => Drop([])),
            ("drop-mid-frame", () => Drop([0x00, 0x00, 0x01, 0x00, (byte)'{', (byte)'"'])),
            ("never-register", () => NeverRegister(cancellation)),
            ("bad-context-json", () => MalformedCalls(json)),
            ("bad-context-msgpack", () => MalformedCalls(msgpack)),
        ];
        try
        {
            for (var i = 0; await ChaosLoad.Pause(TimeSpan.FromMilliseconds(100), cancellation); i++)
            {
                var (name, act) = acts[i % acts.Length];
                _acts.AddOrUpdate(name, 1, (_, n) => n + 1);
                await act();
            }
        }
        finally
        {
            await Task.WhenAll(_lingering);
            json.Dispose();
            msgpack.Dispose();
        }
    }

    /// <summary>Every malformed CALL once; the caller's book checks that each gets exactly one error RESPONSE.</summary>
    private static Task MalformedCalls(ChaosCaller caller) =>
        Task.WhenAll(ChaosMalformedCalls.For(caller.Encoding).Select(caller.SendMalformedAsync));

    private async Task CallBeforeRegister()
    {
        var context = $$"""{"root":"r","chain":["x"],"depth":1,"deadline":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 2_000}}}""";
        var call = Frame(Encoding.UTF8.GetBytes($$"""{"type":"CALL","id":"early-1","from":"nobody","to":"{{ChaosMix.Echo}}","method":"echo","params":null,"context":{{context}}}"""));
        var (frames, _) = await ExchangeAsync(call, register: null, untilClosed: false);
        if (frames is not [ResponseMessage { Id: "early-1", Status: ResponseStatus.Error, Error.Code: ErrorCodes.NotConnected }])
            ledger.Note($"call-before-register: expected one error RESPONSE NOT_CONNECTED, got {Describe(frames)}");
    }

    private async Task ExpectError(string act, byte[] bytes, bool register, bool closes, string? name = null)
    {
        var (frames, closed) = await ExchangeAsync(bytes, register ? name ?? $"chaos-stranger-{Guid.NewGuid():N}" : null, untilClosed: closes);
        if (frames.Count == 0 || frames[^1] is not ErrorMessage)
            ledger.Note($"{act}: expected an ERROR frame, got {Describe(frames)}");
        if (closes && !closed)
            ledger.Note($"{act}: expected the gateway to close the connection within {AnswerWait.TotalSeconds:N0} s");
    }

    private async Task Drop(byte[] bytes)
    {
        using var socket = await ConnectAsync();
        if (bytes.Length > 0)
            await socket.SendAsync(bytes, SocketFlags.None);
    }

    /// <summary>Leaves a connection silent; it must be closed by the gateway, unless the run ends first (then no verdict).</summary>
    private async Task NeverRegister(CancellationToken cancellation)
    {
        var socket = await ConnectAsync();
        _lingering.Add(Task.Run(async () =>
        {
            using (socket)
            {
                var closed = await ClosedWithin(socket, NeverRegisteredWait, cancellation);
                if (!closed && !cancellation.IsCancellationRequested)
                    ledger.Note($"never-register: the gateway kept a connection that sent nothing for {NeverRegisteredWait.TotalSeconds:N0} s");
            }
        }, CancellationToken.None));
    }

    /// <summary>Connects, REGISTERs as <paramref name="register"/> when given (the ack is not among the frames returned), sends <paramref name="bytes"/> and reads what comes back.</summary>
    private async Task<(List<BroMessage> Frames, bool Closed)> ExchangeAsync(byte[] bytes, string? register, bool untilClosed)
    {
        using var socket = await ConnectAsync();
        using var timeout = new CancellationTokenSource(AnswerWait);
        var reader = new RawFrameReader(socket);
        var frames = new List<BroMessage>();
        try
        {
            if (register is not null)
            {
                await socket.SendAsync(RawFrames.Register("json", register), SocketFlags.None, timeout.Token);
                var ack = Frames.Deserialize(await reader.NextAsync(timeout.Token));
                if (ack is not RegisterAckMessage)
                {
                    // A refused name (the taken-name act) ends here: that ERROR is its answer.
                    frames.Add(ack);
                    return (frames, await ClosedWithin(socket, AnswerWait, CancellationToken.None));
                }
            }

            if (bytes.Length > 0)
                await socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
            while (true)
            {
                while (reader.TryNext(out var payload))
                {
                    frames.Add(Frames.Deserialize(payload.ToArray()));
                    if (!untilClosed)
                        return (frames, false);
                }

                if (!await reader.FillAsync(timeout.Token))
                    return (frames, true);
            }
        }
        catch (OperationCanceledException)
        {
            return (frames, false);
        }
        catch (Exception e) when (e is SocketException or EndOfStreamException)
        {
            return (frames, true);
        }
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    /// <summary>Whether the peer closes <paramref name="socket"/> (read returns 0 or fails) within <paramref name="wait"/>; anything it sends meanwhile is skipped.</summary>
    private static async Task<bool> ClosedWithin(Socket socket, TimeSpan wait, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(wait);
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static string Describe(List<BroMessage> frames) =>
        frames.Count == 0 ? "nothing" : string.Join(", ", frames.Select(f => f switch
        {
            ErrorMessage e => $"ERROR {e.Error.Code}",
            ResponseMessage r => $"RESPONSE {r.Status} {r.Error?.Code}",
            _ => f.Type.ToString(),
        }));

    private static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame.AsSpan(4));
        return frame;
    }
}
