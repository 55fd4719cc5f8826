using System.Buffers.Binary;

namespace Bro.Bench;

/// <summary>
/// One caller/callee pair's pre-encoded frames, in JSON or MessagePack: its CALL and its
/// RESPONSE, each a whole frame (length prefix included) built once, so a call costs the driver
/// a copy and an id patch, never an encoder.
/// </summary>
/// <remarks>
/// <para><c>id</c> is the FIRST field of both frames and always <see cref="IdLength"/> ASCII
/// digits, so it sits at the same byte offset in every frame of an encoding
/// (<see cref="IdOffset"/>): the callee copies it from CALL to RESPONSE and the caller reads it
/// back without parsing anything. The gateway forwards frames as their original bytes, so the
/// offset survives the trip.</para>
/// <para>Because the offset is assumed, every frame is checked against the template: the bytes
/// before the id, and the bytes after it up to the end of <c>"type":"CALL"</c> (or, for a
/// RESPONSE, <c>"status":"success"</c>). Anything else (an error RESPONSE or an ERROR written by
/// the gateway, which starts differently) fails the check.</para>
/// </remarks>
internal sealed class RawFrames
{
    /// <summary>Digits in every id: 3 for the pair, 9 for the call's sequence number.</summary>
    public const int IdLength = 12;

    /// <summary>Ids of pair K are K * <see cref="PairIdBase"/> + sequence: the gateway keys calls in flight by id alone, across connections.</summary>
    public const long PairIdBase = 1_000_000_000;

    private const int ParamsBytes = 64;

    private RawFrames(string encoding, byte[] call, byte[] response, int callCheckedTail, int responseCheckedTail)
    {
        Encoding = encoding;
        Call = call;
        Response = response;
        CallCheckedTail = callCheckedTail;
        ResponseCheckedTail = responseCheckedTail;
    }

    /// <summary>json or msgpack.</summary>
    public string Encoding { get; }

    /// <summary>The CALL frame, id all zeros.</summary>
    public byte[] Call { get; }

    /// <summary>The RESPONSE frame (status success, data null), id all zeros.</summary>
    public byte[] Response { get; }

    /// <summary>Bytes after the id that <see cref="IsCall"/> compares: through <c>"type":"CALL"</c>.</summary>
    private int CallCheckedTail { get; }

    /// <summary>Bytes after the id that <see cref="IsSuccess"/> compares: through <c>"status":"success"</c>.</summary>
    private int ResponseCheckedTail { get; }

    /// <summary>The id's offset in a frame, prefix included: after <c>{"id":"</c>, or fixmap, fixstr "id", fixstr(12).</summary>
    public int IdOffset => 4 + (Encoding == "json" ? 7 : 5);

    /// <summary>The frames of pair <paramref name="pair"/>: caller <c>raw-caller-K</c> calls <c>raw-svc-K.noop</c>.</summary>
    public static RawFrames For(string encoding, int pair, long deadlineMs)
    {
        var caller = $"raw-caller-{pair}";
        var service = $"raw-svc-{pair}";
        var root = $"root-{deadlineMs}-{pair:D6}";
        var zeros = new string('0', IdLength);
        if (encoding == "json")
        {
            var context = $$"""{"root":"{{root}}","chain":["{{caller}}"],"depth":1,"deadline":{{deadlineMs}}}""";
            // {"pad":"..."} padded to exactly ParamsBytes.
            var parameters = $$"""{"pad":"{{new string('x', ParamsBytes - 10)}}"}""";
            var callHead = $"{{\"id\":\"{zeros}\",\"type\":\"CALL\"";
            var responseHead = $"{{\"id\":\"{zeros}\",\"type\":\"RESPONSE\",\"status\":\"success\"";
            var call = callHead + $$""","from":"{{caller}}","to":"{{service}}","method":"noop","params":{{parameters}},"context":{{context}}}""";
            var response = responseHead + $$""","from":"{{service}}","to":"{{caller}}","data":null,"context":{{context}}}""";
            return new RawFrames(encoding, Frame(Utf8(call)), Frame(Utf8(response)), callHead.Length - 7 - IdLength, responseHead.Length - 7 - IdLength);
        }

        if (encoding != "msgpack")
            throw new ArgumentException($"unknown encoding {encoding}");
        var ctx = new MessagePackBytes().Map(4)
            .Str("root").Str(root)
            .Str("chain").Array(1).Str(caller)
            .Str("depth").Int(1)
            .Str("deadline").Float64(deadlineMs)
            .ToArray();
        // fixmap(1) {"pad": str8} padded to exactly ParamsBytes: 1 + 4 + 2 header bytes.
        var pad = new MessagePackBytes().Map(1).Str("pad").Str(new string('x', ParamsBytes - 7)).ToArray();
        var msgCall = new MessagePackBytes().Map(7).Str("id").Str(zeros).Str("type").Str("CALL");
        var callTail = msgCall.Length - 5 - IdLength;
        msgCall.Str("from").Str(caller).Str("to").Str(service).Str("method").Str("noop")
            .Str("params").Raw(pad).Str("context").Raw(ctx);
        var msgResponse = new MessagePackBytes().Map(7).Str("id").Str(zeros).Str("type").Str("RESPONSE").Str("status").Str("success");
        var responseTail = msgResponse.Length - 5 - IdLength;
        msgResponse.Str("from").Str(service).Str("to").Str(caller).Str("data").Nil().Str("context").Raw(ctx);
        return new RawFrames(encoding, Frame(msgCall.ToArray()), Frame(msgResponse.ToArray()), callTail, responseTail);
    }

    /// <summary>A REGISTER frame for <paramref name="name"/> offering <c>noop</c>.</summary>
    public static byte[] Register(string encoding, string name) => encoding == "json"
        ? Frame(Utf8($$"""{"type":"REGISTER","serviceName":"{{name}}","methods":["noop"]}"""))
        : Frame(new MessagePackBytes().Map(3).Str("type").Str("REGISTER").Str("serviceName").Str(name)
            .Str("methods").Array(1).Str("noop").ToArray());

    /// <summary>Whether <paramref name="payload"/> is a REGISTER_ACK: the gateway's has more fields, the floor's only <c>type</c>.</summary>
    public static bool IsRegisterAck(ReadOnlySpan<byte> payload) =>
        payload.IndexOf("REGISTER_ACK"u8) >= 0 && payload.IndexOf("ERROR"u8) < 0;

    /// <summary>Whether <paramref name="payload"/> (no prefix) is a CALL laid out like <see cref="Call"/>.</summary>
    public bool IsCall(ReadOnlySpan<byte> payload) => Matches(payload, Call, CallCheckedTail);

    /// <summary>Whether <paramref name="payload"/> (no prefix) is a success RESPONSE laid out like <see cref="Response"/>.</summary>
    public bool IsSuccess(ReadOnlySpan<byte> payload) => Matches(payload, Response, ResponseCheckedTail);

    /// <summary>Writes <paramref name="id"/> as <see cref="IdLength"/> digits at <paramref name="at"/>.</summary>
    public static void WriteId(Span<byte> at, long id)
    {
        for (var i = IdLength - 1; i >= 0; i--)
        {
            at[i] = (byte)('0' + id % 10);
            id /= 10;
        }
    }

    /// <summary>Reads the <see cref="IdLength"/> digits at <paramref name="at"/>; -1 if one is not a digit.</summary>
    public static long ReadId(ReadOnlySpan<byte> at)
    {
        long id = 0;
        for (var i = 0; i < IdLength; i++)
        {
            var digit = at[i] - '0';
            if ((uint)digit > 9)
                return -1;
            id = id * 10 + digit;
        }

        return id;
    }

    /// <summary>The payload as text for an error message: JSON as is, MessagePack as hex.</summary>
    public static string Describe(ReadOnlySpan<byte> payload)
    {
        var shown = payload[..Math.Min(payload.Length, 400)];
        return shown.Length > 0 && shown[0] == (byte)'{' ? Utf8Text(shown) : Convert.ToHexString(shown);
    }

    private bool Matches(ReadOnlySpan<byte> payload, byte[] template, int checkedTail)
    {
        var head = IdOffset - 4;
        var body = template.AsSpan(4);
        return payload.Length == body.Length
            && payload[..head].SequenceEqual(body[..head])
            && payload.Slice(head + IdLength, checkedTail).SequenceEqual(body.Slice(head + IdLength, checkedTail));
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private static string Utf8Text(ReadOnlySpan<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }
}
