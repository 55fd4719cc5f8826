namespace Bro.Codecs.Internal;

/// <summary>
/// The few string values every frame repeats (<c>type</c>, <c>status</c>), handed out as shared
/// instances instead of a new string per frame: the gateway reads a header per routed frame.
/// </summary>
internal static class KnownStrings
{
    /// <summary>The shared instance for <paramref name="utf8"/>, or <c>null</c> when it is not one of them.</summary>
    public static string? Find(ReadOnlySpan<byte> utf8) => utf8.Length switch
    {
        4 when utf8.SequenceEqual("CALL"u8) => "CALL",
        5 when utf8.SequenceEqual("ERROR"u8) => "ERROR",
        5 when utf8.SequenceEqual("error"u8) => "error",
        6 when utf8.SequenceEqual("CANCEL"u8) => "CANCEL",
        7 when utf8.SequenceEqual("success"u8) => "success",
        8 when utf8.SequenceEqual("RESPONSE"u8) => "RESPONSE",
        8 when utf8.SequenceEqual("REGISTER"u8) => "REGISTER",
        9 when utf8.SequenceEqual("HEARTBEAT"u8) => "HEARTBEAT",
        12 when utf8.SequenceEqual("REGISTER_ACK"u8) => "REGISTER_ACK",
        _ => null,
    };
}
