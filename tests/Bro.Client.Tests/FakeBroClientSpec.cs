using System.Text.Json;
using Bro.Protocol;
using Xunit;

namespace Bro.Client.Tests;

/// <summary>
/// <see cref="IBroClient"/> is small enough to fake by hand: a class that takes it is unit-tested
/// with no gateway and no actor system.
/// </summary>
public sealed class FakeBroClientSpec
{
    /// <summary>What a service might do with its client: call another service and shape the answer.</summary>
    public sealed class Salutation(IBroClient client)
    {
        public async Task<string> ForAsync(string userId)
        {
            var name = await client.CallAsync<string>("user-service", "getName", new { userId });
            return $"Dear {name ?? "customer"}";
        }
    }

    /// <summary>Answers calls from a table and records them; keeps method names, runs no handler.</summary>
    public sealed class FakeBroClient : IBroClient
    {
        private readonly Dictionary<(string Service, string Method), object?> _answers = [];
        private readonly SortedSet<string> _methods = new(StringComparer.Ordinal);

        public List<(string Service, string Method, object? Parameters)> Calls { get; } = [];

        public string ServiceName => "fake-service";

        public bool IsConnected => true;

        public FakeBroClient Answer(string service, string method, object? result)
        {
            _answers[(service, method)] = result;
            return this;
        }

        public Task<T?> CallAsync<T>(string service, string method, object? parameters = null, CallOptions? options = null)
        {
            Calls.Add((service, method, parameters));
            return _answers.TryGetValue((service, method), out var answer)
                ? Task.FromResult((T?)answer)
                : Task.FromException<T?>(new BroException(ErrorCodes.ServiceNotFound, $"No answer for {service}.{method}"));
        }

        public Task<T?> CallWithRetryAsync<T>(
            string service, string method, object? parameters = null, int maxRetries = 3, TimeSpan? retryDelay = null, CallOptions? options = null) =>
            CallAsync<T>(service, method, parameters, options);

        public void RegisterMethod<TParams, TResult>(string method, Func<TParams, CallContext, Task<TResult>> handler) =>
            _methods.Add(method);

        public void RegisterMethod(string method, Func<JsonElement, CallContext, Task<object?>> handler) =>
            _methods.Add(method);

        public void RegisterMethod<TParams, TResult>(string method, Func<TParams, CallContext, CancellationToken, Task<TResult>> handler) =>
            _methods.Add(method);

        public void RegisterMethod(string method, Func<JsonElement, CallContext, CancellationToken, Task<object?>> handler) =>
            _methods.Add(method);

        public bool UnregisterMethod(string method) => _methods.Remove(method);

        public IReadOnlyList<string> GetRegisteredMethods() => [.. _methods];

        public TService GetService<TService>()
            where TService : class => throw new NotSupportedException("The fake has no proxies");

        public void Serve<TService>(TService implementation)
            where TService : class => throw new NotSupportedException("The fake serves no contract");

        public BroClientStatus GetStatus() => new(true, true, ServiceName, 0, GetRegisteredMethods(), 1);
    }

    [Fact]
    public async Task A_class_that_takes_an_IBroClient_is_tested_with_a_fake()
    {
        var fake = new FakeBroClient().Answer("user-service", "getName", "Ada");

        var known = await new Salutation(fake).ForAsync("u-1");
        var error = await Assert.ThrowsAsync<BroException>(() => new Salutation(new FakeBroClient()).ForAsync("u-2"));

        Assert.Equal("Dear Ada", known);
        Assert.Equal(("user-service", "getName"), (fake.Calls[0].Service, fake.Calls[0].Method));
        Assert.Equal(ErrorCodes.ServiceNotFound, error.Code);
    }
}
