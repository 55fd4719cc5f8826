using System.Text.Json;
using Bro.Protocol;

namespace Bro.Client;

/// <summary>
/// What a service does with its <see cref="BroClient"/>: call other services, answer calls,
/// read its status. Services take it from dependency injection (see
/// <c>BroClientServiceCollectionExtensions.AddBroClient</c>); tests give them a fake. Every
/// member is thread-safe.
/// </summary>
/// <remarks>
/// Connecting, disconnecting and disposing are not here: the host owns the client's lifetime.
/// Nor are the events: they observe the concrete client, set up where it is created (the
/// <c>configure</c> callback of <c>AddBroClient</c> is handed the <see cref="BroClient"/>).
/// </remarks>
public interface IBroClient
{
    /// <inheritdoc cref="BroClient.ServiceName"/>
    string ServiceName { get; }

    /// <inheritdoc cref="BroClient.IsConnected"/>
    bool IsConnected { get; }

    /// <inheritdoc cref="BroClient.CallAsync{T}"/>
    Task<T?> CallAsync<T>(string service, string method, object? parameters = null, CallOptions? options = null);

    /// <inheritdoc cref="BroClient.CallWithRetryAsync{T}"/>
    Task<T?> CallWithRetryAsync<T>(
        string service, string method, object? parameters = null, int maxRetries = 3, TimeSpan? retryDelay = null, CallOptions? options = null);

    /// <inheritdoc cref="BroClient.RegisterMethod{TParams, TResult}(string, Func{TParams, CallContext, Task{TResult}})"/>
    void RegisterMethod<TParams, TResult>(string method, Func<TParams, CallContext, Task<TResult>> handler);

    /// <inheritdoc cref="BroClient.RegisterMethod(string, Func{JsonElement, CallContext, Task{object}})"/>
    void RegisterMethod(string method, Func<JsonElement, CallContext, Task<object?>> handler);

    /// <inheritdoc cref="BroClient.RegisterMethod{TParams, TResult}(string, Func{TParams, CallContext, CancellationToken, Task{TResult}})"/>
    void RegisterMethod<TParams, TResult>(string method, Func<TParams, CallContext, CancellationToken, Task<TResult>> handler);

    /// <inheritdoc cref="BroClient.RegisterMethod(string, Func{JsonElement, CallContext, CancellationToken, Task{object}})"/>
    void RegisterMethod(string method, Func<JsonElement, CallContext, CancellationToken, Task<object?>> handler);

    /// <inheritdoc cref="BroClient.UnregisterMethod"/>
    bool UnregisterMethod(string method);

    /// <inheritdoc cref="BroClient.GetRegisteredMethods"/>
    IReadOnlyList<string> GetRegisteredMethods();

    /// <inheritdoc cref="BroClient.GetService{TService}"/>
    TService GetService<TService>()
        where TService : class;

    /// <inheritdoc cref="BroClient.Serve{TService}"/>
    void Serve<TService>(TService implementation)
        where TService : class;

    /// <inheritdoc cref="BroClient.GetStatus"/>
    BroClientStatus GetStatus();
}
