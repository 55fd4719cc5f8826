using System.Buffers.Binary;
using System.Text;
using Bro.Protocol;

namespace Bro.Bench;

/// <summary>
/// CALL frames whose id, from and to can be read but that are wrong otherwise: a context field
/// of the wrong type, a chain too deep, a <c>from</c> that is not the sender's name. (A CALL
/// without a deadline or without a context is not wrong: the gateway gives it a deadline.)
/// Each is built for a given id and sender; the gateway owes each one error RESPONSE with that id.
/// </summary>
internal static class ChaosMalformedCalls
{
    /// <summary>Builders of the malformed CALLs in <paramref name="encoding"/>: (id, sender) to a whole frame.</summary>
    public static IReadOnlyList<Func<string, string, byte[]>> For(BroEncoding encoding) =>
        encoding == BroEncoding.Json ? Json : MessagePack;

    private static long Deadline => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 2_000;

    private static readonly IReadOnlyList<Func<string, string, byte[]>> Json =
    [
        (id, from) => JsonCall(id, from, $$"""{"root":"r","chain":["{{from}}"],"depth":1,"deadline":"soon"}"""),
        (id, from) => JsonCall(id, from, $$"""{"root":"r","chain":["{{from}}"],"depth":"x","deadline":{{Deadline}}}"""),
        (id, from) => JsonCall(id, from, $$"""{"root":"r","chain":5,"depth":1,"deadline":{{Deadline}}}"""),
        (id, from) => JsonCall(id, from, $$"""{"root":"r","chain":["{{from}}"],"depth":1000,"deadline":{{Deadline}}}"""),
        (id, _) => JsonCall(id, "someone-else", $$"""{"root":"r","chain":["someone-else"],"depth":1,"deadline":{{Deadline}}}"""),
    ];

    private static readonly IReadOnlyList<Func<string, string, byte[]>> MessagePack =
    [
        (id, from) => MessagePackCall(id, from, c => c.Map(4).Str("root").Str("r").Str("chain").Array(1).Str(from).Str("depth").Int(1).Str("deadline").Str("soon")),
        (id, from) => MessagePackCall(id, from, c => c.Map(4).Str("root").Str("r").Str("chain").Array(1).Str(from).Str("depth").Str("x").Str("deadline").Float64(Deadline)),
        (id, _) => MessagePackCall(id, "someone-else", c => c.Map(4).Str("root").Str("r").Str("chain").Array(1).Str("someone-else").Str("depth").Int(1).Str("deadline").Float64(Deadline)),
    ];

    private static byte[] JsonCall(string id, string from, string context) => Frame(Encoding.UTF8.GetBytes(
        $$"""{"type":"CALL","id":"{{id}}","from":"{{from}}","to":"{{ChaosMix.Echo}}","method":"echo","params":null,"context":{{context}}}"""));

    private static byte[] MessagePackCall(string id, string from, Func<MessagePackBytes, MessagePackBytes> context) =>
        Frame(context(new MessagePackBytes().Map(7).Str("type").Str("CALL").Str("id").Str(id).Str("from").Str(from)
            .Str("to").Str(ChaosMix.Echo).Str("method").Str("echo").Str("params").Nil().Str("context")).ToArray());

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }
}
