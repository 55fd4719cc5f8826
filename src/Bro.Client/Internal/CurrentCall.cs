using Bro.Protocol;

namespace Bro.Client.Internal;

/// <summary>
/// The context of the CALL being handled on this logical flow. Set when a handler starts (inside
/// its own task, so the value flows into the handler's awaits and nested calls and never back
/// out to the read loop or to other handlers running at the same time).
/// </summary>
internal static class CurrentCall
{
    private static readonly AsyncLocal<CallContext?> Value = new();
    private static readonly AsyncLocal<HandledCall?> HandledValue = new();

    /// <summary>The context of the call being handled, or <c>null</c> outside a handler.</summary>
    public static CallContext? Context
    {
        get => Value.Value;
        set => Value.Value = value;
    }

    /// <summary>
    /// The call being handled, whose token a nested call made here inherits (so a cancelled
    /// handler's nested calls are cancelled in turn), or <c>null</c> outside a handler.
    /// </summary>
    public static HandledCall? Handled
    {
        get => HandledValue.Value;
        set => HandledValue.Value = value;
    }
}
