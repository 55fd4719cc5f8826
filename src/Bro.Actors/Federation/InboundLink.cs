using Bro.Protocol;

namespace Bro.Federation;

/// <summary>A data link another gateway opened to this one, past TLS and its hello; the token is not checked yet.</summary>
/// <param name="Transport">The connection; owned by whoever takes this.</param>
/// <param name="Encoding">The encoding of every frame on it.</param>
/// <param name="MaxFrameSize">The largest frame the other gateway may send on it.</param>
/// <param name="Token">The token its hello carried.</param>
internal sealed record InboundLink(LinkTransport Transport, BroEncoding Encoding, int MaxFrameSize, byte[] Token);
