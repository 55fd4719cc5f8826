using Bro.Protocol;

namespace Bro.Codecs.Internal;

/// <summary>The exceptions the codecs throw, so every message is worded the same way.</summary>
internal static class CodecErrors
{
    public static BroException Malformed(string message, Exception? inner = null) =>
        new(ErrorCodes.DeserializationFailed, message, inner: inner);

    public static BroException Missing(string field) =>
        new(ErrorCodes.InvalidMessage, $"Missing required field '{field}'");

    public static BroException WrongType(string field, string expected, string actual) =>
        new(ErrorCodes.InvalidMessage, $"Field '{field}' must be {expected}, not {actual}");

    public static BroException Invalid(string message) => new(ErrorCodes.InvalidMessage, message);
}
