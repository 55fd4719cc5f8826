using System.Text.Json.Serialization;
using Bro.Protocol;
using Bro.Routing;

namespace Bro.Client.Internal;

/// <summary>
/// The metadata a connection's REGISTER carries: <c>poolIndex</c> when it joins its own pool,
/// and, for an instance of a group, <c>group</c>, <c>instanceId</c> and <c>balance</c> on every
/// connection, so its pool connections and reconnects join its own instance, not another; and
/// always <c>features</c>, the protocol extensions the client understands (CANCEL), so a Bro
/// gateway sends it their frames (an ipc-bro gateway ignores metadata).
/// </summary>
internal sealed record RegisterMetadata(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PoolIndex,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Group,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? InstanceId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Balance,
    IReadOnlyList<string> Features)
{
    private static readonly string[] Understood = [BroFeatures.Cancel];

    /// <summary>
    /// The metadata of a REGISTER from <paramref name="core"/>'s connection
    /// <paramref name="poolIndex"/> (<c>null</c> for a plain REGISTER).
    /// </summary>
    public static RawValue For(ClientCore core, int? poolIndex)
    {
        var options = core.Options;
        if (!options.Group)
            return RawValue.FromObject(new RegisterMetadata(poolIndex, null, null, null, Understood), core.Encoding);
        return RawValue.FromObject(
            new RegisterMetadata(poolIndex, true, core.InstanceId, options.Balance?.ToName(), Understood), core.Encoding);
    }
}
