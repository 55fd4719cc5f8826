namespace Bro.Federation;

/// <summary>
/// What a gateway sends each new member when the cluster has a secret: an HMAC-SHA256, keyed
/// with the secret, of the sender's and the receiver's addresses and incarnations. It proves
/// the sender knows the secret without sending it, and cannot be replayed by another node or
/// to another incarnation.
/// </summary>
/// <param name="Incarnation">The sender's actor system uid.</param>
/// <param name="Mac">The HMAC (see <see cref="FederationSecret"/>).</param>
internal sealed record SecretProof(long Incarnation, byte[] Mac);
