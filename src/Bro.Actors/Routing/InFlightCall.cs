namespace Bro.Routing;

/// <summary>
/// One CALL the gateway delivered to a target and has not answered yet. It sits in two tables
/// at once: its caller's (keyed by the id the caller chose) and its target's (keyed by the id
/// the target was given), so either side can find it, and it is finished exactly once.
/// </summary>
/// <remarks>
/// Whoever finishes the call (the target's RESPONSE, the deadline sweep, the loss of either
/// connection, a delivery failure, the caller's CANCEL) wins <see cref="TryFinish"/> first and
/// only then removes the call from the tables and answers (a CANCEL answers nobody: its caller
/// stopped waiting); a loser does nothing. That is what makes "exactly one
/// answer" hold when a RESPONSE, a deadline and a disconnection race on different threads.
/// </remarks>
internal sealed class InFlightCall
{
    private int _finished;

    public InFlightCall(CallEndpoint caller, CallEndpoint target, string callerId, string callerName, string targetName, long deadline)
    {
        Caller = caller;
        Target = target;
        CallerId = callerId;
        WireId = callerId;
        CallerName = callerName;
        TargetName = targetName;
        Deadline = deadline;
    }

    /// <summary>The connection that sent the CALL; the only one its answer goes to.</summary>
    public CallEndpoint Caller { get; }

    /// <summary>The connection the CALL was delivered to; the only one whose RESPONSE is accepted.</summary>
    public CallEndpoint Target { get; }

    /// <summary>The id the caller chose; its answer carries it.</summary>
    public string CallerId { get; }

    /// <summary>
    /// The id the target sees. Equal to <see cref="CallerId"/> unless another caller already had
    /// a call with that id in flight to the same target; then the gateway gave this one a fresh
    /// id on the way in and restores the caller's on the way back. Set under the target's lock.
    /// </summary>
    public string WireId { get; set; }

    /// <summary>The caller's registered service name.</summary>
    public string CallerName { get; }

    /// <summary>The target's service name, as the CALL named it.</summary>
    public string TargetName { get; }

    /// <summary>When the gateway answers DEADLINE_EXCEEDED: the CALL's deadline, capped at request-timeout (epoch ms).</summary>
    public long Deadline { get; }

    /// <summary>
    /// When the CALL arrived (<see cref="System.Diagnostics.Stopwatch"/> timestamp), for the call
    /// duration metric and the monitor's latency; 0 when neither wanted it, so an unobserved call
    /// reads no clock.
    /// </summary>
    public long StartedAt { get; init; }

    /// <summary>
    /// The method called, kept only while a monitor watches (<see cref="BuiltIn.Internal.MonitorLog"/>),
    /// so the RESPONSE's record can name it.
    /// </summary>
    public string? Method { get; set; }

    /// <summary>Whether the id the target sees differs from the caller's.</summary>
    public bool IdRewritten => !ReferenceEquals(WireId, CallerId);

    /// <summary>Whether the call has been finished (answered or dropped).</summary>
    public bool IsFinished => Volatile.Read(ref _finished) != 0;

    /// <summary>Claims the call's one answer: true for the first caller only.</summary>
    public bool TryFinish() => Interlocked.Exchange(ref _finished, 1) == 0;
}
