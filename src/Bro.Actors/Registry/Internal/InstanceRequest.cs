using System.Text;
using System.Text.Json;
using Bro.Protocol;
using Bro.Routing;

namespace Bro.Registry.Internal;

/// <summary>
/// What a REGISTER's metadata asks about instance groups: <c>group</c> (join or found a group
/// of processes serving one name), <c>instanceId</c> (the instance's name in it) and
/// <c>balance</c> (the strategy a new service's calls are spread by). The last two are read
/// only beside <c>group: true</c>: ipc-bro metadata is free-form, and a service that never heard
/// of groups may use these keys for its own ends (a <c>group</c> that is not a boolean included).
/// </summary>
/// <param name="Group"><c>metadata.group</c>: <c>true</c> asks to found or join a group.</param>
/// <param name="InstanceId"><c>metadata.instanceId</c>, if given.</param>
/// <param name="Balance"><c>metadata.balance</c>, if given.</param>
internal readonly record struct InstanceRequest(bool Group, string? InstanceId, BalancingStrategy? Balance)
{
    /// <summary>
    /// Reads the fields from <paramref name="metadata"/>. Returns why a REGISTER that asks for a
    /// group cannot be accepted (an instance id that is not a string, is over
    /// <paramref name="maxIdBytes"/> or holds control characters; an unknown strategy), or
    /// <c>null</c> with <paramref name="request"/> set.
    /// Registration is rare: the metadata (at most max-metadata-size) is read as a whole here
    /// rather than by the header readers every frame goes through.
    /// </summary>
    public static string? TryRead(RawValue? metadata, int maxIdBytes, out InstanceRequest request)
    {
        request = default;
        if (metadata is null)
            return null;
        JsonElement map;
        try
        {
            map = metadata.ToJsonElement();
        }
        catch (BroException)
        {
            // MessagePack metadata JSON cannot express (a map with non-string keys) asks nothing,
            // as it did before groups existed.
            return null;
        }

        if (map.ValueKind != JsonValueKind.Object)
            return null;

        if (!map.TryGetProperty("group", out var group) || group.ValueKind != JsonValueKind.True)
            return null;

        string? instanceId = null;
        BalancingStrategy? balance = null;

        if (map.TryGetProperty("instanceId", out var idValue))
        {
            if (idValue.ValueKind != JsonValueKind.String || idValue.GetString() is not { Length: > 0 } id)
                return "metadata.instanceId must be a non-empty string";
            var bytes = Encoding.UTF8.GetByteCount(id);
            if (bytes > maxIdBytes)
                return $"metadata.instanceId of {bytes} bytes is over the limit of {maxIdBytes} (bro.gateway.max-service-name-length)";
            if (id.Any(char.IsControl))
                return "metadata.instanceId holds control characters";
            instanceId = id;
        }

        if (map.TryGetProperty("balance", out var balanceValue))
        {
            if (balanceValue.ValueKind != JsonValueKind.String || !BalancingStrategies.TryParse(balanceValue.GetString(), out var strategy))
                return $"metadata.balance must be one of {string.Join(", ", BalancingStrategies.Names)}";
            balance = strategy;
        }

        request = new InstanceRequest(true, instanceId, balance);
        return null;
    }
}
