using System.Text.Json.Serialization;
using Bro.Protocol;
using Bro.Routing;

namespace Bro.Client.Internal;

/// <summary>
/// The metadata a connection's REGISTER carries: <c>poolIndex</c> when it joins its own pool,
/// and, for an instance of a group, <c>group</c>, <c>instanceId</c> and <c>balance</c> on every
/// connection, so its pool connections and reconnects join its own instance, not another.
/// </summary>
internal sealed record RegisterMetadata(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PoolIndex,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Group,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? InstanceId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Balance)
{
    /// <summary>
    /// The metadata of a REGISTER from <paramref name="core"/>'s connection
    /// <paramref name="poolIndex"/> (<c>null</c> for a plain REGISTER); <c>null</c> when it has none.
    /// </summary>
    public static RawValue? For(ClientCore core, int? poolIndex)
    {
        var options = core.Options;
        if (!options.Group)
            return poolIndex is null ? null : RawValue.FromObject(new RegisterMetadata(poolIndex, null, null, null), core.Encoding);
        return RawValue.FromObject(
            new RegisterMetadata(poolIndex, true, core.InstanceId, options.Balance?.ToName()), core.Encoding);
    }
}
