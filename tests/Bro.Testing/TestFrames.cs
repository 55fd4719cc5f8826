using System.Text.Json;
using Akka.IO;
using Bro.Protocol;

namespace Bro.Testing;

/// <summary>
/// Builds CALL/RESPONSE payloads (JSON, by hand) and their headers, the way a connection actor
/// hands them to the router. Stands in for the codecs, which live on another branch.
/// </summary>
internal static class TestFrames
{
    public static (FrameHeader Header, ByteString Payload) Call(
        string id, string from, string to, string method = "m", int? depth = 1, long? deadline = null)
    {
        var context = new Dictionary<string, object?>
        {
            ["root"] = "root-1",
            ["chain"] = new[] { from, to },
            ["depth"] = depth,
            ["deadline"] = deadline,
        };
        var payload = Json(new Dictionary<string, object?>
        {
            ["type"] = "CALL", ["id"] = id, ["from"] = from, ["to"] = to, ["method"] = method,
            ["params"] = new { n = 42 }, ["context"] = context,
        });
        return (new FrameHeader(MessageType.Call, id, from, to, method, null, depth, deadline, null), payload);
    }

    public static (FrameHeader Header, ByteString Payload) Response(string? id, string from, string to)
    {
        var payload = Json(new Dictionary<string, object?>
        {
            ["type"] = "RESPONSE", ["id"] = id, ["from"] = from, ["to"] = to, ["status"] = "success",
            ["data"] = new { ok = true },
        });
        return (new FrameHeader(MessageType.Response, id, from, to, null, null, null, null, null), payload);
    }

    public static RegisterMessage Register(string name, params string[] methods) => new(name, methods, "1.0.0");

    private static ByteString Json(Dictionary<string, object?> fields) =>
        ByteString.FromBytes(JsonSerializer.SerializeToUtf8Bytes(fields));
}
