using System.Text.Json;
using System.Text.Json.Nodes;
using Bro.Protocol;
using Xunit;

namespace Bro.Actors.Tests.Vectors;

/// <summary>
/// The recorded <c>ipc-bro</c> session (Vectors/*.jsonl, copied next to the test assembly):
/// one frame a line as <c>{serializer, direction, connection, hex, decoded}</c>. Public and
/// self-contained so another test project can link this file and reuse the vectors.
/// </summary>
public static class RecordedSession
{
    /// <summary>The frames of the JSON session, in order.</summary>
    public static IReadOnlyList<Frame> Json { get; } = Load("ipc-bro-session.json.jsonl");

    /// <summary>The frames of the MessagePack session, in order.</summary>
    public static IReadOnlyList<Frame> MessagePack { get; } = Load("ipc-bro-session.msgpack.jsonl");

    /// <summary>Every frame of both sessions.</summary>
    public static IReadOnlyList<Frame> All { get; } = [.. Json, .. MessagePack];

    /// <summary>Every frame as xunit theory data: serializer and 1-based line number.</summary>
    public static TheoryData<string, int> Lines
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var frame in All)
            {
                data.Add(frame.Serializer, frame.Line);
            }

            return data;
        }
    }

    /// <summary>The frame at <paramref name="line"/> (1-based) of the <paramref name="serializer"/> session.</summary>
    public static Frame Get(string serializer, int line) =>
        (serializer == "msgpack" ? MessagePack : Json)[line - 1];

    private static List<Frame> Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", fileName);
        var frames = new List<Frame>();
        var number = 0;
        foreach (var text in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            using var line = JsonDocument.Parse(text);
            var root = line.RootElement;
            frames.Add(new Frame(
                root.GetProperty("serializer").GetString()!,
                root.GetProperty("direction").GetString()!,
                root.GetProperty("connection").GetInt32(),
                Convert.FromHexString(root.GetProperty("hex").GetString()!),
                JsonNode.Parse(root.GetProperty("decoded").GetRawText())!,
                number));
        }

        return frames;
    }

    /// <summary>One recorded frame.</summary>
    /// <param name="Serializer"><c>json</c> or <c>msgpack</c>.</param>
    /// <param name="Direction"><c>client-&gt;gateway</c> or <c>gateway-&gt;client</c>.</param>
    /// <param name="Connection">Numbers the socket.</param>
    /// <param name="Bytes">The whole frame, length prefix included.</param>
    /// <param name="Decoded">The message as ipc-bro decoded it.</param>
    /// <param name="Line">1-based line in its file.</param>
    public sealed record Frame(string Serializer, string Direction, int Connection, byte[] Bytes, JsonNode Decoded, int Line)
    {
        /// <summary>The payload (the bytes after the 4-byte prefix).</summary>
        public ReadOnlyMemory<byte> Payload => Bytes.AsMemory(4);

        /// <summary>The encoding of the payload.</summary>
        public BroEncoding Encoding => Serializer == "msgpack" ? BroEncoding.MessagePack : BroEncoding.Json;

        /// <inheritdoc />
        public override string ToString() => $"{Serializer}:{Line} {Decoded["type"]}";
    }
}
