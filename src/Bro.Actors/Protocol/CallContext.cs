namespace Bro.Protocol;

/// <summary>The context carried through nested calls.</summary>
/// <param name="Root">Correlation id of the whole chain, e.g. <c>root-1699005123456-x1y2z3</c>.</param>
/// <param name="Chain">The services the request passed through.</param>
/// <param name="Depth">Length of the chain so far, at least 1.</param>
/// <param name="Deadline">Absolute deadline, epoch milliseconds.</param>
public sealed record CallContext(string Root, IReadOnlyList<string> Chain, int Depth, long Deadline);
