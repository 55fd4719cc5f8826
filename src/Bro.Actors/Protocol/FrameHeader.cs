namespace Bro.Protocol;

/// <summary>
/// The routing fields of a frame, read without materialising <c>params</c> or <c>data</c>,
/// so a gateway can forward the frame's original bytes untouched.
/// </summary>
/// <param name="Type">The frame's type.</param>
/// <param name="Id">CALL/RESPONSE/ERROR id.</param>
/// <param name="From">CALL/RESPONSE/HEARTBEAT sender.</param>
/// <param name="To">CALL/RESPONSE target.</param>
/// <param name="Method">CALL method.</param>
/// <param name="ServiceName">REGISTER service name.</param>
/// <param name="Depth">The context's depth, when a context is present.</param>
/// <param name="Deadline">The context's deadline (epoch ms), when a context is present.</param>
/// <param name="PoolIndex">REGISTER <c>metadata.poolIndex</c>, when numeric.</param>
/// <param name="Root">The context's root, when a context is present.</param>
/// <param name="Chain">The context's chain, when a context is present.</param>
/// <param name="Status">RESPONSE status.</param>
/// <param name="ErrorCode">The <c>error.code</c> of a RESPONSE or ERROR, when it has one.</param>
internal readonly record struct FrameHeader(
    MessageType Type,
    string? Id,
    string? From,
    string? To,
    string? Method,
    string? ServiceName,
    int? Depth,
    long? Deadline,
    int? PoolIndex,
    string? Root = null,
    IReadOnlyList<string>? Chain = null,
    ResponseStatus? Status = null,
    string? ErrorCode = null);
