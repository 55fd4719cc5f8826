namespace Bro.Bench;

/// <summary>
/// The params of a chaos CALL: <c>sleep</c> answers after <see cref="Ms"/>; <c>nested</c> calls
/// <see cref="Next"/>.<see cref="NextMethod"/> (with <see cref="Ms"/>) before answering;
/// <see cref="Pad"/> makes a burst's frames big. <c>echo</c> returns the params as they came.
/// </summary>
internal sealed record ChaosParams(int Ms = 0, string? Next = null, string? NextMethod = null, string? Pad = null);
