namespace Bro.Protocol;

/// <summary>REGISTER: a service announces its name and the methods it answers.</summary>
/// <param name="ServiceName">Unique per gateway, except for the extra connections of a pool.</param>
/// <param name="Methods">The methods this service answers.</param>
/// <param name="Version">The service's version, if it gives one.</param>
/// <param name="Metadata">Free-form metadata; a numeric <c>poolIndex</c> marks an extra pooled connection.</param>
public sealed record RegisterMessage(
    string ServiceName,
    IReadOnlyList<string> Methods,
    string? Version = null,
    RawValue? Metadata = null) : BroMessage
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Register;
}
