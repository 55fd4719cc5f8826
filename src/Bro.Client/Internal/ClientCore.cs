using System.Diagnostics;
using Akka.Actor;
using Bro.Client.Connection;
using Bro.Client.Events;
using Bro.Client.Telemetry.Internal;
using Bro.Client.Telemetry;
using Bro.Codecs;
using Bro.Protocol;

namespace Bro.Client.Internal;

/// <summary>
/// The machinery shared by a <see cref="BroClient"/> and its connection actors: pending calls,
/// the method table, the pool of open connections, the per-call path and the inbound dispatch.
/// </summary>
/// <remarks>
/// The per-call path never goes through an actor: a caller encodes its CALL on its own thread
/// into a pooled buffer and queues it on a connection (<see cref="ConnectionHandle"/>); the
/// connection's read loop completes the pending call when the RESPONSE arrives. Actors only
/// connect, register, send heartbeats and reconnect.
/// </remarks>
internal sealed class ClientCore
{
    private readonly ConnectionHandle?[] _slots;
    private readonly BroClient _owner;
    private readonly Action<ResponseMessage> _onResponse;
    private readonly HandlerSlots _handlers;

    // A call without parameters sends "params": null, as ipc-bro does; the value is immutable, so one serves every call.
    private readonly RawValue _nullParameters;
    private int _next = -1;

    /// <summary>Creates the core of <paramref name="owner"/>.</summary>
    public ClientCore(BroClientOptions options, BroClient owner)
    {
        Options = options;
        InstanceId = options.InstanceId ?? $"{Environment.ProcessId}-{Random.Shared.Next():x8}";
        _owner = owner;
        _onResponse = owner.RaiseResponseReceived;
        Encoding = options.Encoding;
        Codec = MessageCodecs.For(Encoding);
        _slots = new ConnectionHandle?[options.PoolSize];
        _handlers = new HandlerSlots(options.MaxConcurrentHandlers, HandleCallAsync);
        _nullParameters = RawValue.FromObject<object?>(null, Encoding);
        Pending = new PendingCalls(options.ServiceName) { Cancelled = SendCancel };
    }

    /// <summary>The resolved options.</summary>
    public BroClientOptions Options { get; }

    /// <summary>
    /// The instance id every connection of a group member registers with: the options' own, or
    /// one chosen once per client (process id and a random suffix, so two clients of one
    /// process are two instances), kept across reconnects.
    /// </summary>
    public string InstanceId { get; }

    /// <summary>This client's wire encoding.</summary>
    public BroEncoding Encoding { get; }

    /// <summary>The codec of <see cref="Encoding"/>.</summary>
    public IMessageCodec Codec { get; }

    /// <summary>Calls waiting for their response.</summary>
    public PendingCalls Pending { get; }

    /// <summary>The methods this client answers.</summary>
    public MethodTable Methods { get; } = new();

    /// <summary>Clock of contexts, deadlines and heartbeats.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The connection actors, in pool order (empty until the first connect).</summary>
    public IReadOnlyList<IActorRef> Connections { get; set; } = [];

    /// <summary>The owning client, for raising events.</summary>
    public BroClient Owner => _owner;

    /// <summary>The primary connection, when registered.</summary>
    public ConnectionHandle? Primary => Volatile.Read(ref _slots[0]);

    /// <summary>The registered connections, in pool order.</summary>
    public IReadOnlyList<ConnectionHandle> OpenConnections
    {
        get
        {
            var open = new List<ConnectionHandle>(_slots.Length);
            for (var i = 0; i < _slots.Length; i++)
            {
                if (Volatile.Read(ref _slots[i]) is { } handle)
                    open.Add(handle);
            }

            return open;
        }
    }

    /// <summary>Makes a registered connection available to callers.</summary>
    public void Publish(ConnectionHandle handle) => Volatile.Write(ref _slots[handle.PoolIndex], handle);

    /// <summary>Withdraws a connection, unless a newer one already replaced it.</summary>
    public void Unpublish(ConnectionHandle handle) =>
        Interlocked.CompareExchange(ref _slots[handle.PoolIndex], null, handle);

    /// <summary>Sends a CALL; the task completes with its RESPONSE (of either status).</summary>
    /// <remarks>
    /// Not an async method: a CALL queued at once (the usual case) hands back the pending call's
    /// own task, so a call costs one state machine (the caller's), not two.
    /// A traced call (someone listens to <see cref="Telemetry.BroClientTracing.SourceName"/>) adds one.
    /// </remarks>
    public Task<ResponseMessage> CallAsync(string service, string method, object? parameters, CallOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentException.ThrowIfNullOrEmpty(method);
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        var context = CreateContext(service, options, now, out var timeout);
        var activity = CallActivities.StartCall(service, method, context);
        return activity is null
            ? Send(service, method, parameters, options, context, timeout, now, activity: null)
            : TracedAsync(activity, service, method, parameters, options, context, timeout, now);
    }

    /// <summary>A traced call: <see cref="Send"/>, its outcome recorded on <paramref name="activity"/>.</summary>
    private async Task<ResponseMessage> TracedAsync(
        Activity activity, string service, string method, object? parameters, CallOptions? options, CallContext context, TimeSpan timeout, long now)
    {
        try
        {
            var response = await Send(service, method, parameters, options, context, timeout, now, activity).ConfigureAwait(false);
            if (response.Status == ResponseStatus.Error)
                CallActivities.Fail(activity, response.Error?.Code ?? ErrorCodes.ExecutionFailed, response.Error?.Message ?? "Unknown error");
            return response;
        }
        catch (BroException ex)
        {
            CallActivities.Fail(activity, ex.Code, ex.Message);
            throw;
        }
        catch (Exception ex)
        {
            CallActivities.Fail(activity, ex.GetType().FullName ?? ex.GetType().Name, ex.Message);
            throw;
        }
        finally
        {
            activity.Dispose();
        }
    }

    /// <summary>Queues the CALL; <paramref name="activity"/>, when tracing, names the caller's span in its context.</summary>
    private Task<ResponseMessage> Send(
        string service, string method, object? parameters, CallOptions? options, CallContext context, TimeSpan timeout, long now, Activity? activity)
    {
        var connection = NextConnection()
            ?? throw new BroException(ErrorCodes.NotConnected, $"Not connected to the gateway at {Options.GatewayPath}");

        // A value to serialize is written into this thread's parameter buffer and copied into the
        // frame, so the CALL's params are stale once it is encoded: nothing reads them after that
        // but the debug log, which gets an array of its own instead.
        var buffer = parameters is null or RawValue || Options.Debug ? null : ParameterBuffer.Take();
        CallMessage call;
        FrameBuffer frame;
        try
        {
            var raw = parameters switch
            {
                RawValue value => value,
                null => _nullParameters,
                _ when buffer is not null => RawValue.FromObject(parameters, Encoding, Options.SerializerOptions, buffer),
                _ => RawValue.FromObject(parameters, Encoding, Options.SerializerOptions),
            };
            if (activity is not null)
                context = CallActivities.Carry(context, activity);
            call = new CallMessage(CallIds.Next("req", now), Options.ServiceName, service, method, raw, context);
            if (activity is { IsAllDataRequested: true })
                CallActivities.Describe(activity, call);
            frame = connection.Encode(call);
        }
        finally
        {
            if (buffer is not null)
                ParameterBuffer.Return(buffer);
        }

        // Added before written: either the connection-loss sweep sees the entry, or this write
        // sees the completed queue (the queue is completed before the sweep runs). A write
        // cancelled by the token throws out of here, and the entry is removed on the way.
        // Inside a handler the call is also cancelled with the handler (the chain stops).
        var token = options?.CancellationToken ?? CancellationToken.None;
        PendingCall pending;
        ValueTask<bool> writing;
        try
        {
            pending = Pending.Add(call.Id, connection.PoolIndex, service, method, timeout, token, CurrentCall.Handled?.Token ?? default);
        }
        catch
        {
            frame.Dispose();
            throw;
        }

        // A token that had fired already cancelled the entry: the CALL is not sent at all.
        if (pending.Task.IsCompleted)
        {
            frame.Dispose();
            return pending.Task;
        }

        try
        {
            writing = connection.WriteAsync(frame, token);
        }
        catch
        {
            frame.Dispose();
            pending.Dispose();
            throw;
        }

        if (!writing.IsCompleted)
            return SendingAsync(writing, frame, pending, call);

        // The frame buffer goes back before the wait for the response.
        frame.Dispose();
        bool written;
        try
        {
            written = writing.GetAwaiter().GetResult();
        }
        catch
        {
            pending.Dispose();
            throw;
        }

        return Sent(written, pending, call);
    }

    /// <summary>Dispatches one inbound frame; runs on the connection's read loop.</summary>
    /// <param name="connection">The connection the frame came in on.</param>
    /// <param name="connectionActor">Its actor, told about handshake frames.</param>
    /// <param name="payload">The frame's payload, in the read buffer: valid during this call only,
    /// unless <paramref name="keepPayload"/>.</param>
    /// <param name="keepPayload">The payload is in an array of its own, which the message may keep.</param>
    /// <returns>A completed task, or one the read loop awaits before reading on (a CALL filled the
    /// queue of calls waiting for a handler slot; see <see cref="HandlerSlots"/>).</returns>
    public Task OnFrame(ConnectionHandle connection, IActorRef connectionActor, ReadOnlyMemory<byte> payload, bool keepPayload)
    {
        BroMessage message;
        try
        {
            // Decoded from the read buffer itself: the message copies out what it keeps (its
            // strings and raw values), so the buffer is free again once this returns; a large
            // frame's own array is kept instead, its values slices of it.
            message = Frames.Deserialize(payload, keepPayload);
        }
        catch (BroException ex)
        {
            // A frame we cannot read is reported, not fatal: the gateway may speak a newer protocol.
            _owner.RaiseError(ex);
            return Task.CompletedTask;
        }

        if (Options.Debug)
            _owner.RaiseLog(BroLogLevel.Debug, $"<- [{connection.PoolIndex}] {Messages.FormatForLog(message)}");

        switch (message)
        {
            case ResponseMessage response:
                if (!Pending.TryComplete(response, _onResponse))
                    _owner.RaiseLog(BroLogLevel.Warning, $"RESPONSE {response.Id} matches no pending call (late or duplicate)");
                break;

            case CallMessage call:
                connection.CountCall();

                // Recorded before a slot is free: a CANCEL may overtake a CALL waiting for one.
                var handled = new HandledCall(connection, call, Time);
                connection.Handling.Add(handled);

                // Off the read loop at once: handlers run concurrently on the thread pool, as many
                // as there are slots.
                return _handlers.Dispatch(handled);

            case CancelMessage cancel:
                // A CANCEL for a call already answered crossed our RESPONSE: nothing to stop.
                if (!connection.Handling.Abandon(cancel.Id) && Options.Debug)
                    _owner.RaiseLog(BroLogLevel.Debug, $"CANCEL {cancel.Id} matches no call being handled (answered already)");
                break;

            case ErrorMessage error:
                var info = error.Error ?? new ErrorInfo("Unknown gateway error", ErrorCodes.InternalError);

                // ipc-bro gateways answer an unroutable CALL with ERROR carrying its id.
                if (error.Id is { } id)
                    Pending.TryFail(id, new BroException(info.Code ?? ErrorCodes.InternalError, info.Message, info.Stack));
                _owner.RaiseGatewayError(info, error.Id, connection.PoolIndex);
                connectionActor.Tell(new GatewayConnectionActor.GatewayErrorReceived(connection, info));
                break;

            case RegisterAckMessage ack:
                connectionActor.Tell(new GatewayConnectionActor.RegisterAckReceived(connection, ack));
                break;
        }

        return Task.CompletedTask;
    }

    private async Task<ResponseMessage> SendingAsync(ValueTask<bool> writing, FrameBuffer frame, PendingCall pending, CallMessage call)
    {
        bool written;
        try
        {
            written = await writing.ConfigureAwait(false);
        }
        catch
        {
            pending.Dispose();
            throw;
        }
        finally
        {
            frame.Dispose();
        }

        return await Sent(written, pending, call).ConfigureAwait(false);
    }

    /// <summary>The CALL left (or its connection closed first): from here only a completer claims the entry.</summary>
    private Task<ResponseMessage> Sent(bool written, PendingCall pending, CallMessage call)
    {
        if (!written)
        {
            Pending.TryFail(call.Id, new BroException(
                ErrorCodes.ConnectionLost, $"Connection to the gateway closed before {call.To}.{call.Method} was sent"));
        }
        else if (pending.Task.IsCanceled)
        {
            // Cancelled while being queued: the token's CANCEL may have gone out ahead of the
            // CALL, where the gateway drops it. Sent again behind the CALL; a second is dropped quietly.
            SendCancel(pending);
        }

        if (Options.Debug)
            _owner.RaiseLog(BroLogLevel.Debug, $"-> {Messages.FormatForLog(call)}");
        return pending.Task;
    }

    /// <summary>The context a call to <paramref name="service"/> carries, and its effective timeout.</summary>
    internal CallContext CreateContext(string service, CallOptions? options, out TimeSpan timeout) =>
        CreateContext(service, options, Time.GetUtcNow().ToUnixTimeMilliseconds(), out timeout);

    private CallContext CreateContext(string service, CallOptions? options, long now, out TimeSpan timeout)
    {
        timeout = options?.Timeout ?? Options.Timeout;
        if (timeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), timeout, "A call's timeout must be positive");

        var parent = options?.Context ?? CurrentCall.Context;
        CallContext context;
        if (parent is null)
        {
            // Top level: a new root naming this service, extended with the target (what
            // CallContexts.Create then Extend give, built at once).
            context = new CallContext(
                CallIds.Next("root", now), new[] { Options.ServiceName, service }, 2, now + (long)timeout.TotalMilliseconds);
        }
        else
        {
            // Nested: same root, never outliving the parent.
            var remaining = CallContexts.RemainingTime(parent, Time);
            if (remaining <= TimeSpan.Zero)
                throw new BroException(
                    ErrorCodes.DeadlineExceeded,
                    $"Deadline of {CallContexts.Format(parent)} passed before calling {service}");
            if (remaining < timeout)
                timeout = remaining;
            context = CallContexts.Extend(parent, service) with
            {
                Deadline = CallContexts.CalculateDeadline(timeout, parent.Deadline, Time),
            };
        }

        if (CallContexts.IsMaxDepthExceeded(context))
            throw new BroException(
                ErrorCodes.MaxDepthExceeded,
                $"Calling {service} would reach depth {context.Depth}, over the maximum {CallContexts.DefaultMaxDepth}");
        return context;
    }

    private ConnectionHandle? NextConnection()
    {
        var count = _slots.Length;
        if (count == 1)
            return Volatile.Read(ref _slots[0]);

        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)count);
        for (var i = 0; i < count; i++)
        {
            if (Volatile.Read(ref _slots[(start + i) % count]) is { } handle)
                return handle;
        }

        return null;
    }

    /// <summary>
    /// A CALL was given up on while in flight (its caller's token fired): the gateway, if it is a
    /// Bro gateway, is told with CANCEL, so that the callee stops and no answer is routed back.
    /// Best effort: when the connection's queue is full the CANCEL is dropped, and the callee
    /// stops at the call's deadline instead. Runs inside the token's callback.
    /// </summary>
    private void SendCancel(PendingCall call)
    {
        // ipc-bro gateways do not know the frame; a closed connection failed the call already.
        if (Volatile.Read(ref _slots[call.PoolIndex]) is not { IsBroGateway: true } connection)
            return;
        var cancel = new CancelMessage(call.Id, Options.ServiceName, call.Target);
        if (connection.TryWrite(cancel) && Options.Debug)
            _owner.RaiseLog(BroLogLevel.Debug, $"-> [{connection.PoolIndex}] {Messages.FormatForLog(cancel)}");
    }

    /// <summary>
    /// The client is disconnecting <paramref name="connection"/>: a Bro gateway is told CANCEL for
    /// every call still pending on it, so that their callees stop now, rather than once the
    /// gateway sees the socket close (it keeps a half-closed peer's calls for their answers).
    /// Called before the connection's queue is completed, so the CANCELs are written out.
    /// </summary>
    public void AbandonPending(ConnectionHandle connection)
    {
        if (!connection.IsBroGateway)
            return;
        foreach (var call in Pending.On(connection.PoolIndex))
            connection.TryWrite(new CancelMessage(call.Id, Options.ServiceName, call.Target, CancelReasons.CallerLost));
    }

    private async Task HandleCallAsync(HandledCall handled)
    {
        var connection = handled.Connection;
        var call = handled.Call;

        // Set inside this task: flows into the handler and its nested calls only (the activity
        // too: a nested call's activity is its child), and so does the handler's token.
        CurrentCall.Context = call.Context;
        CurrentCall.Handled = handled;
        using var activity = CallActivities.StartHandler(call);
        var started = Stopwatch.GetTimestamp();
        ResponseMessage response;
        ErrorInfo? error = null;
        try
        {
            if (!Methods.TryGet(call.Method, out var handler))
                throw new BroException(ErrorCodes.MethodNotFound, $"Method '{call.Method}' not found");
            var result = await handler(call.Params, call.Context).ConfigureAwait(false);
            response = Messages.BuildSuccessResponse(call, Options.ServiceName, result);
        }
        catch (Exception ex)
        {
            var code = ex switch
            {
                BroException bro => bro.Code,
                // Stopped by its token at the deadline: the caller's own time ran out, and says so
                // (its client reads DEADLINE_EXCEEDED at its deadline as TIMEOUT).
                OperationCanceledException when handled.IsOverdue => ErrorCodes.DeadlineExceeded,
                _ => ErrorCodes.ExecutionFailed,
            };
            var stack = Options.Debug ? (ex as BroException)?.Details ?? ex.StackTrace : null;
            error = new ErrorInfo(ex.Message, code, stack);
            response = Messages.BuildErrorResponse(call.Id, Options.ServiceName, call.From, call.Context, error);
        }
        finally
        {
            // Still answered when abandoned: a Bro gateway drops the answer quietly and frees the id.
            handled.Dispose();
        }

        FrameBuffer frame;
        try
        {
            frame = connection.Encode(response);
        }
        catch (BroException ex)
        {
            error = new ErrorInfo(ex.Message, ex.Code);
            frame = connection.Encode(Messages.BuildErrorResponse(call.Id, Options.ServiceName, call.From, call.Context, error));
        }

        // The response goes back on the connection the CALL came in on.
        bool written;
        try
        {
            written = await connection.WriteAsync(frame).ConfigureAwait(false);
        }
        finally
        {
            frame.Dispose();
        }

        if (!written)
            _owner.RaiseLog(BroLogLevel.Warning, $"Connection closed before the response to {call.Id} ({call.Method}) was sent");
        if (activity is not null && error is not null)
            CallActivities.Fail(activity, error.Code ?? ErrorCodes.ExecutionFailed, error.Message);
        ClientInstruments.HandlerEnded(Options.ServiceName, call.Method, error?.Code ?? ClientMeter.Success, started);
        _owner.RaiseMethodExecuted(call.Method, call.Id, error, Stopwatch.GetElapsedTime(started));
    }
}
