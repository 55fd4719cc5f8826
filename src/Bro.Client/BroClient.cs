using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Bro.Client.Connection;
using Bro.Client.Contracts;
using Bro.Client.Events;
using Bro.Client.Internal;
using Bro.Protocol;
using Microsoft.Extensions.Logging;

namespace Bro.Client;

/// <summary>
/// A .NET service's membership of a Bro (or ipc-bro) gateway: registers methods, calls other
/// services and answers their calls. Every member is thread-safe.
/// </summary>
/// <remarks>
/// Runs on an <see cref="ActorSystem"/> (its own, or the one passed in): one connection actor per
/// pooled connection connects, registers, sends heartbeats and reconnects. Calls do not go
/// through actors: they are queued on the connection's bounded outbound queue and completed by
/// its socket's read loop. Handlers run on the thread pool, concurrently, at most
/// <see cref="BroClientOptions.MaxConcurrentHandlers"/> at once. Events are raised synchronously on internal
/// threads (a read loop or an actor): keep their handlers short and non-blocking; an exception
/// thrown by one is swallowed.
/// </remarks>
public sealed class BroClient : IBroClient, IAsyncDisposable
{
    private static readonly TimeSpan DisconnectTimeout = TimeSpan.FromSeconds(10);

    private readonly ClientCore _core;
    private readonly ActorSystem _system;
    private readonly bool _ownsSystem;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly ILogger? _logger;
    private IActorRef[]? _connections;
    private bool _disposed;

    /// <summary>Creates a client; nothing connects until <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">The options; <see cref="BroClientOptions.ServiceName"/> is required.</param>
    /// <param name="system">The actor system to run on; <c>null</c> (default) creates one, terminated on dispose.</param>
    public BroClient(BroClientOptions options, ActorSystem? system = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _core = new ClientCore(options, this);
        _ownsSystem = system is null;
        _system = system ?? ClientLogging.CreateSystem(options.LoggerFactory);
        _logger = ClientLogging.CreateLogger(options.LoggerFactory);
    }

    /// <summary>Creates a client from the <c>bro.client</c> section of <paramref name="config"/>.</summary>
    /// <param name="config">Configuration holding <c>bro.client</c>; missing keys take the reference defaults.</param>
    /// <param name="system">The actor system to run on; <c>null</c> (default) creates one.</param>
    public BroClient(Config config, ActorSystem? system = null)
        : this(BroClientOptions.FromConfig(config), system)
    {
    }

    /// <summary>Raised when the primary connection registered (also after every reconnect).</summary>
    public event EventHandler? Connected;

    /// <summary>Raised when a registered connection closed.</summary>
    public event EventHandler<DisconnectedEventArgs>? Disconnected;

    /// <summary>Raised after the gateway acknowledged the primary connection's REGISTER.</summary>
    public event EventHandler? Registered;

    /// <summary>Raised after a handler ran (successfully or not) and its response was queued.</summary>
    public event EventHandler<MethodExecutedEventArgs>? MethodExecuted;

    /// <summary>Raised for every RESPONSE matched to a pending call.</summary>
    public event EventHandler<ResponseReceivedEventArgs>? ResponseReceived;

    /// <summary>Raised for client-side failures that have no caller to throw to (an unreadable frame).</summary>
    public event EventHandler<BroErrorEventArgs>? Error;

    /// <summary>Raised for every ERROR frame the gateway sends.</summary>
    public event EventHandler<GatewayErrorEventArgs>? GatewayError;

    /// <summary>The client's own log lines; frame-level lines only when <see cref="BroClientOptions.Debug"/> is on.</summary>
    public event EventHandler<BroLogEventArgs>? Log;

    /// <summary>
    /// The context of the call being handled on the current logical flow (inside a handler and
    /// everything it awaits), or <c>null</c> outside handlers. Calls made here extend it.
    /// </summary>
    public static CallContext? CurrentContext => CurrentCall.Context;

    /// <summary>The options this client runs with.</summary>
    public BroClientOptions Options => _core.Options;

    /// <summary>The name this client registers under.</summary>
    public string ServiceName => _core.Options.ServiceName;

    /// <summary>Whether the primary connection is open and registered.</summary>
    public bool IsConnected => _core.Primary is not null;

    /// <summary>The client's machinery (a hook for tests).</summary>
    internal ClientCore Core => _core;

    /// <summary>The registered connections (a hook for tests and diagnostics).</summary>
    internal IReadOnlyList<ConnectionHandle> OpenConnections => _core.OpenConnections;

    /// <summary>
    /// Registers (or replaces) a typed handler. Parameters are deserialized into
    /// <typeparamref name="TParams"/> and the result serialized with
    /// <see cref="BroClientOptions.SerializerOptions"/> (web defaults: camelCase), in MessagePack
    /// directly as the same map. A <see cref="RawValue"/> parameter or
    /// result is passed as it arrived, never decoded (a relay). Methods registered after
    /// connecting are served at once.
    /// </summary>
    /// <typeparam name="TParams">The parameters' type.</typeparam>
    /// <typeparam name="TResult">The result's type.</typeparam>
    /// <param name="method">Method name.</param>
    /// <param name="handler">Called with the parameters and the CALL's context; a thrown
    /// <see cref="BroException"/> keeps its code, any other exception becomes EXECUTION_FAILED.</param>
    public void RegisterMethod<TParams, TResult>(string method, Func<TParams, CallContext, Task<TResult>> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(handler);
        var encoding = _core.Encoding;
        var options = _core.Options.SerializerOptions;
        _core.Methods.Register(method, async (parameters, context) =>
        {
            var typed = parameters is null ? default! : parameters.Deserialize<TParams>(options)!;
            var result = await handler(typed, context).ConfigureAwait(false);
            return RawValue.FromObject(result, encoding, options);
        });
    }

    /// <summary>
    /// Registers (or replaces) a dynamic handler: parameters as a <see cref="JsonElement"/>
    /// (<see cref="JsonValueKind.Undefined"/> when the CALL carries none), the result serialized
    /// from its runtime type.
    /// </summary>
    /// <param name="method">Method name.</param>
    /// <param name="handler">Called with the parameters and the CALL's context.</param>
    public void RegisterMethod(string method, Func<JsonElement, CallContext, Task<object?>> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(handler);
        var encoding = _core.Encoding;
        var options = _core.Options.SerializerOptions;
        _core.Methods.Register(method, async (parameters, context) =>
        {
            var element = parameters?.ToJsonElement() ?? default;
            var result = await handler(element, context).ConfigureAwait(false);
            return RawValue.FromObject(result, encoding, options);
        });
    }

    /// <summary>
    /// Registers (or replaces) a typed handler that can be stopped: as
    /// <see cref="RegisterMethod{TParams, TResult}(string, Func{TParams, CallContext, Task{TResult}})"/>,
    /// with a token that fires at the call's deadline and when the call is abandoned (its caller
    /// cancelled it or disconnected; told by a Bro gateway with CANCEL). Calls made inside the
    /// handler are cancelled with it (an <see cref="OperationCanceledException"/>), so a whole
    /// chain of calls stops. Whatever the handler returns once the token fired is dropped.
    /// </summary>
    /// <typeparam name="TParams">The parameters' type.</typeparam>
    /// <typeparam name="TResult">The result's type.</typeparam>
    /// <param name="method">Method name.</param>
    /// <param name="handler">Called with the parameters, the CALL's context and the call's token.</param>
    public void RegisterMethod<TParams, TResult>(string method, Func<TParams, CallContext, CancellationToken, Task<TResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        // The token is asked for only here: a handler without one never creates its token source.
        RegisterMethod<TParams, TResult>(method, (parameters, context) => handler(parameters, context, CurrentCall.Handled?.Token ?? default));
    }

    /// <summary>
    /// Registers (or replaces) a dynamic handler that can be stopped: as
    /// <see cref="RegisterMethod(string, Func{JsonElement, CallContext, Task{object}})"/>, with the
    /// call's token (see <see cref="RegisterMethod{TParams, TResult}(string, Func{TParams, CallContext, CancellationToken, Task{TResult}})"/>).
    /// </summary>
    /// <param name="method">Method name.</param>
    /// <param name="handler">Called with the parameters, the CALL's context and the call's token.</param>
    public void RegisterMethod(string method, Func<JsonElement, CallContext, CancellationToken, Task<object?>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        RegisterMethod(method, (parameters, context) => handler(parameters, context, CurrentCall.Handled?.Token ?? default));
    }

    /// <summary>Stops answering <paramref name="method"/> (callers then get METHOD_NOT_FOUND).</summary>
    /// <returns><c>false</c> when it was not registered.</returns>
    public bool UnregisterMethod(string method) => _core.Methods.Unregister(method);

    /// <summary>The names of the registered methods, sorted.</summary>
    public IReadOnlyList<string> GetRegisteredMethods() => _core.Methods.Names;

    /// <summary>
    /// A proxy of the service whose contract is <typeparamref name="TService"/>: each method
    /// calls the remote method through this client, like <see cref="CallAsync{T}"/> (a token
    /// parameter becomes <see cref="CallOptions.CancellationToken"/>). The proxy is stateless and
    /// thread-safe; the code behind it was generated at compile time.
    /// </summary>
    /// <typeparam name="TService">An interface marked <see cref="BroServiceAttribute"/>.</typeparam>
    /// <exception cref="InvalidOperationException">No generated code exists for <typeparamref name="TService"/>.</exception>
    public TService GetService<TService>()
        where TService : class => BroContracts.CreateProxy<TService>(this);

    /// <summary>
    /// Registers every method of contract <typeparamref name="TService"/> as answered by
    /// <paramref name="implementation"/>, each through <see cref="RegisterMethod{TParams, TResult}(string, Func{TParams, CallContext, Task{TResult}})"/>
    /// (so served at once when connected). A method's token fires at the call's deadline and when
    /// the call is abandoned, as a handler's given to
    /// <see cref="RegisterMethod{TParams, TResult}(string, Func{TParams, CallContext, CancellationToken, Task{TResult}})"/>.
    /// </summary>
    /// <typeparam name="TService">An interface marked <see cref="BroServiceAttribute"/> naming this client's service.</typeparam>
    /// <param name="implementation">Answers the calls, concurrently.</param>
    /// <exception cref="InvalidOperationException">No generated code exists for <typeparamref name="TService"/>,
    /// or its service name is not <see cref="ServiceName"/>.</exception>
    public void Serve<TService>(TService implementation)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(implementation);
        BroContracts.Serve(this, implementation);
    }

    /// <summary>A snapshot of the client's state.</summary>
    public BroClientStatus GetStatus()
    {
        var connected = IsConnected;
        return new BroClientStatus(
            connected, connected, ServiceName, _core.Pending.Count, _core.Methods.Names, _core.OpenConnections.Count);
    }

    /// <summary>
    /// Connects every pooled connection and registers it. Completes once all are registered;
    /// calling it while connected does nothing. A failed first attempt is not retried (a refused
    /// name would be refused again): <see cref="BroClientOptions.AutoReconnect"/> applies to
    /// connections lost after they registered.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the connection attempt goes on until refused or registered).</param>
    /// <exception cref="BroException">CONNECTION_FAILED with the reason: no gateway listening, a
    /// refusal (duplicate name) with the gateway's message, or no REGISTER_ACK in time.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connections = _connections ??= CreateConnections();

            // The primary first: a refused name fails fast, before extra connections pile up.
            await ConnectOne(connections[0]).WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await Task.WhenAll(connections.Skip(1).Select(ConnectOne)).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (BroException)
            {
                await DisconnectAllAsync(connections).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Closes every connection and stops reconnecting. Pending calls fail with NOT_CONNECTED.
    /// The client can connect again afterwards.
    /// </summary>
    /// <remarks>
    /// The protocol has no UNREGISTER: the gateway forgets the service when it sees the socket
    /// close, which may be a moment after this task completes. Connecting again under the same
    /// name before that is refused as a duplicate (CONNECTION_FAILED).
    /// </remarks>
    public async Task DisconnectAsync()
    {
        if (_disposed)
            return;
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_connections is { } connections)
                await DisconnectAllAsync(connections).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Calls <paramref name="method"/> of <paramref name="service"/> and deserializes the result.
    /// Inside a handler the call continues the handler's context (same root, deadline never later).
    /// </summary>
    /// <typeparam name="T">The result's type (<see cref="JsonElement"/> for dynamic use, <see cref="RawValue"/> to keep it undecoded).</typeparam>
    /// <param name="service">Target service name.</param>
    /// <param name="method">Method name.</param>
    /// <param name="parameters">Parameters, serialized with <see cref="BroClientOptions.SerializerOptions"/>; may be <c>null</c>.</param>
    /// <param name="options">Timeout, context and cancellation of this call; <c>null</c> for the defaults.</param>
    /// <returns>The result; <c>default</c> when the response carries no data.</returns>
    /// <exception cref="BroException">The remote error (its code, else EXECUTION_FAILED), TIMEOUT,
    /// NOT_CONNECTED, CONNECTION_LOST, DEADLINE_EXCEEDED or MAX_DEPTH_EXCEEDED (the last two before sending).</exception>
    /// <exception cref="OperationCanceledException">The options' token was cancelled.</exception>
    public async Task<T?> CallAsync<T>(string service, string method, object? parameters = null, CallOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var response = await _core.CallAsync(service, method, parameters, options).ConfigureAwait(false);
        if (response.Status == ResponseStatus.Error)
        {
            var error = response.Error ?? new ErrorInfo("Unknown error");
            throw new BroException(error.Code ?? ErrorCodes.ExecutionFailed, error.Message, error.Stack);
        }

        return response.Data is null ? default : response.Data.Deserialize<T>(_core.Options.SerializerOptions);
    }

    /// <summary>
    /// <see cref="CallAsync{T}"/> retried on failure with exponential backoff
    /// (<paramref name="retryDelay"/> doubling, capped at 30 s). METHOD_NOT_FOUND,
    /// SERVICE_NOT_FOUND, MAX_DEPTH_EXCEEDED and DEADLINE_EXCEEDED are not retried: another
    /// attempt cannot succeed.
    /// </summary>
    /// <typeparam name="T">The result's type.</typeparam>
    /// <param name="service">Target service name.</param>
    /// <param name="method">Method name.</param>
    /// <param name="parameters">Parameters.</param>
    /// <param name="maxRetries">Retries after the first attempt. Default 3.</param>
    /// <param name="retryDelay">Delay before the first retry. Default 1 s.</param>
    /// <param name="options">Per-call options, applied to every attempt.</param>
    /// <returns>The first successful result.</returns>
    public async Task<T?> CallWithRetryAsync<T>(
        string service, string method, object? parameters = null, int maxRetries = 3, TimeSpan? retryDelay = null, CallOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        var delay = retryDelay ?? TimeSpan.FromSeconds(1);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await CallAsync<T>(service, method, parameters, options).ConfigureAwait(false);
            }
            catch (BroException ex) when (attempt < maxRetries && IsRetryable(ex.Code))
            {
                RaiseLog(BroLogLevel.Warning, $"{service}.{method} failed with {ex.Code} ({ex.Message}), retry {attempt + 1} of {maxRetries}");
                await Task.Delay(Backoff.Delay(attempt, delay), options?.CancellationToken ?? default).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Disconnects, stops the connection actors and terminates the actor system if the client created it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        await DisconnectAsync().ConfigureAwait(false);
        _disposed = true;
        if (_connections is { } connections)
        {
            foreach (var connection in connections)
                _system.Stop(connection);
        }

        if (_ownsSystem)
            await _system.Terminate().ConfigureAwait(false);
        _lifecycle.Dispose();
    }

    internal void RaiseConnected(int poolIndex)
    {
        // The connection actor logged this line already: the event only.
        if (Log is not null)
            Raise(Log, new BroLogEventArgs(BroLogLevel.Info, $"Connection {poolIndex} of {ServiceName} registered at {Options.GatewayPath}"));
        if (poolIndex != 0)
            return;
        Raise(Connected, EventArgs.Empty);
        Raise(Registered, EventArgs.Empty);
    }

    internal void RaiseDisconnected(int poolIndex, string reason, bool willReconnect) =>
        Raise(Disconnected, new DisconnectedEventArgs(poolIndex, reason, willReconnect));

    internal void RaiseMethodExecuted(string method, string requestId, ErrorInfo? error, TimeSpan duration)
    {
        if (MethodExecuted is not null)
            Raise(MethodExecuted, new MethodExecutedEventArgs(method, requestId, error, duration));
    }

    internal void RaiseResponseReceived(ResponseMessage response)
    {
        if (ResponseReceived is not null)
            Raise(ResponseReceived, new ResponseReceivedEventArgs(response));
    }

    internal void RaiseError(Exception exception)
    {
        RaiseLog(BroLogLevel.Error, exception.Message);
        Raise(Error, new BroErrorEventArgs(exception));
    }

    internal void RaiseGatewayError(ErrorInfo error, string? requestId, int poolIndex)
    {
        RaiseLog(BroLogLevel.Warning, $"Gateway error {error.Code}: {error.Message}");
        Raise(GatewayError, new GatewayErrorEventArgs(error, requestId, poolIndex));
    }

    internal void RaiseLog(BroLogLevel level, string message)
    {
        _logger?.Log(ClientLogging.ToLogLevel(level), "{Message}", message);
        if (Log is not null)
            Raise(Log, new BroLogEventArgs(level, message));
    }

    private static bool IsRetryable(string code) => code is not (
        ErrorCodes.MethodNotFound or ErrorCodes.ServiceNotFound or ErrorCodes.MaxDepthExceeded or ErrorCodes.DeadlineExceeded);

    private void Raise<TArgs>(EventHandler<TArgs>? handler, TArgs args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
        catch (Exception)
        {
            // A subscriber's failure must not break a read loop or an actor.
        }
    }

    private void Raise(EventHandler? handler, EventArgs args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
        catch (Exception)
        {
            // A subscriber's failure must not break a read loop or an actor.
        }
    }

    private IActorRef[] CreateConnections()
    {
        var prefix = $"bro-client-{Uri.EscapeDataString(ServiceName)}-{Guid.NewGuid():N}";
        IActorRef[] connections = [.. Enumerable.Range(0, Options.PoolSize)
            .Select(i => _system.ActorOf(GatewayConnectionActor.Props(_core, i), $"{prefix}-{i}"))];
        _core.Connections = connections;
        return connections;
    }

    private static Task ConnectOne(IActorRef connection)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Tell(new GatewayConnectionActor.Connect(done));
        return done.Task;
    }

    private async Task DisconnectAllAsync(IActorRef[] connections)
    {
        var stops = connections.Select(connection =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.Tell(new GatewayConnectionActor.Disconnect(done));
            return done.Task;
        }).ToArray();
        try
        {
            await Task.WhenAll(stops).WaitAsync(DisconnectTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            RaiseLog(BroLogLevel.Warning, $"Connections did not close within {DisconnectTimeout.TotalSeconds}s");
        }

        _core.Pending.FailAll(null, () => new BroException(ErrorCodes.NotConnected, "The client disconnected"));
    }
}
