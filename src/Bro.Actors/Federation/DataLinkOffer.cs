namespace Bro.Federation;

/// <summary>
/// What a gateway sends each member it accepts (over the cluster, so only members get one):
/// where to open a data link to it, and the token that link must present. The token is random,
/// issued to that member's incarnation alone, and revoked when it leaves the cluster.
/// </summary>
/// <param name="Host">The host to connect to: the sender's public hostname, else its cluster hostname.</param>
/// <param name="Port">The sender's data port.</param>
/// <param name="Token">The <see cref="DataLinkHello.TokenSize"/> bytes the link's hello must carry.</param>
/// <param name="HoldsYours">Whether the sender holds an offer from the receiver. When it does
/// not (the receiver's offer came before the sender knew it as a member, and was ignored), the
/// receiver answers with a new offer.</param>
internal sealed record DataLinkOffer(string Host, int Port, byte[] Token, bool HoldsYours);
