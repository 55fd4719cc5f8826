namespace Bro.Protocol;

/// <summary>Creating, extending and checking <see cref="CallContext"/>s, as <c>ipc-bro</c>'s context utilities do.</summary>
public static class CallContexts
{
    /// <summary>The default maximum call depth.</summary>
    public const int DefaultMaxDepth = 100;

    /// <summary>A top-level context: new root, chain <c>[serviceName]</c>, depth 1, deadline now + <paramref name="timeout"/>.</summary>
    /// <param name="serviceName">The first service of the chain.</param>
    /// <param name="timeout">Time the whole chain may take.</param>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when <c>null</c>.</param>
    public static CallContext Create(string serviceName, TimeSpan timeout, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        return new CallContext(
            Ids.GenerateRootId(time),
            [serviceName],
            1,
            time.GetUtcNow().ToUnixTimeMilliseconds() + (long)timeout.TotalMilliseconds);
    }

    /// <summary>The context one hop further: <paramref name="serviceName"/> appended, depth + 1, same root and deadline.</summary>
    public static CallContext Extend(CallContext context, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context with { Chain = [.. context.Chain, serviceName], Depth = context.Depth + 1 };
    }

    /// <summary>
    /// Checks the shape of a context: a root, a non-empty chain, depth at least 1. Depth and
    /// chain length are not compared: <c>ipc-bro</c> appends the caller rather than the target,
    /// and the gateway checks only depth and deadline.
    /// </summary>
    /// <exception cref="BroException"><c>INVALID_CONTEXT</c> naming what is wrong.</exception>
    public static void Validate(CallContext? context)
    {
        if (context is null)
        {
            throw new BroException(ErrorCodes.InvalidContext, "Missing context");
        }

        if (string.IsNullOrEmpty(context.Root))
        {
            throw new BroException(ErrorCodes.InvalidContext, "Context has an empty root");
        }

        if (context.Chain is null || context.Chain.Count == 0)
        {
            throw new BroException(ErrorCodes.InvalidContext, "Context has an empty chain");
        }

        if (context.Depth < 1)
        {
            throw new BroException(ErrorCodes.InvalidContext, $"Context depth {context.Depth} is below 1");
        }
    }

    /// <summary>Whether the deadline has passed (now later than the deadline).</summary>
    /// <param name="context">The context.</param>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when <c>null</c>.</param>
    public static bool IsDeadlineExceeded(CallContext context, TimeProvider? time = null) =>
        Now(time) > context.Deadline;

    /// <summary>Time left until the deadline; <see cref="TimeSpan.Zero"/> once it has passed, never negative.</summary>
    /// <param name="context">The context.</param>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when <c>null</c>.</param>
    public static TimeSpan RemainingTime(CallContext context, TimeProvider? time = null) =>
        TimeSpan.FromMilliseconds(Math.Max(0, context.Deadline - Now(time)));

    /// <summary>
    /// The deadline of a call: now + <paramref name="timeout"/>, but never later than
    /// <paramref name="parentDeadline"/> (a nested call never outlives its parent).
    /// </summary>
    /// <param name="timeout">The call's own timeout.</param>
    /// <param name="parentDeadline">The deadline of the call being handled, if any (epoch ms).</param>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when <c>null</c>.</param>
    public static long CalculateDeadline(TimeSpan timeout, long? parentDeadline = null, TimeProvider? time = null)
    {
        var own = Now(time) + (long)timeout.TotalMilliseconds;
        return parentDeadline is { } parent ? Math.Min(own, parent) : own;
    }

    /// <summary>Whether the depth is above <paramref name="maxDepth"/> (default 100).</summary>
    public static bool IsMaxDepthExceeded(CallContext context, int maxDepth = DefaultMaxDepth) =>
        context.Depth > maxDepth;

    /// <summary>One line for logs: <c>[root] a → b → c (depth: 3)</c>.</summary>
    public static string Format(CallContext context) =>
        $"[{context.Root}] {string.Join(" → ", context.Chain)} (depth: {context.Depth})";

    private static long Now(TimeProvider? time) => (time ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();
}
