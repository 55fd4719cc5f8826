using System.Text.Json;

namespace Bro.Protocol;

/// <summary>
/// Protocol extensions a peer announces in its REGISTER's metadata, as
/// <c>metadata.features</c>, an array of strings: <c>{"features": ["cancel"]}</c>. A gateway
/// sends a connection the frames of an extension only when that connection announced it, so a
/// peer that knows nothing of it (an <c>ipc-bro</c> client) never receives them.
/// </summary>
public static class BroFeatures
{
    /// <summary>The metadata key holding the announced features.</summary>
    public const string MetadataKey = "features";

    /// <summary><c>cancel</c>: the peer understands CANCEL frames (<see cref="CancelMessage"/>).</summary>
    public const string Cancel = "cancel";

    /// <summary>
    /// Whether <paramref name="metadata"/> (a REGISTER's) announces <paramref name="feature"/>.
    /// Metadata that is not an object, or whose <c>features</c> is not an array, announces
    /// nothing; it is never an error, since metadata is free-form.
    /// </summary>
    public static bool Announces(RawValue? metadata, string feature)
    {
        if (metadata is null)
            return false;
        JsonElement root;
        try
        {
            root = metadata.ToJsonElement();
        }
        catch (BroException)
        {
            return false;
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(MetadataKey, out var features)
            || features.ValueKind != JsonValueKind.Array)
            return false;
        foreach (var announced in features.EnumerateArray())
        {
            if (announced.ValueKind == JsonValueKind.String && announced.ValueEquals(feature))
                return true;
        }

        return false;
    }
}
