using Akka.Configuration;
using Akka.Hosting;
using Bro.Client.Contracts;
using Bro.Client.Hosting;
using Bro.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests.Hosting;

/// <summary>
/// Clients in a generic host's dependency injection (<c>services.AddBroClient</c>): injected as
/// <see cref="IBroClient"/>, keyed when there are several, typed proxies, handler classes per call.
/// </summary>
public sealed class ServiceCollectionHostingSpec(ITestOutputHelper output) : ClientSpec(output)
{
    public sealed record Greet(string Name);

    [BroService("greeter-service")]
    public interface IGreeter
    {
        Task<string> GreetAsync(Greet request, CancellationToken ct = default);
    }

    public sealed class Greeter : IGreeter
    {
        public Task<string> GreetAsync(Greet request, CancellationToken ct) => Task.FromResult($"Hello, {request.Name}");
    }

    [BroService("scoped-service")]
    public interface IScopedService
    {
        /// <summary>The id of the scoped dependency this call was given.</summary>
        Task<int> WhoAnsweredAsync();
    }

    /// <summary>Counts the scoped dependencies made and disposed, across scopes.</summary>
    public sealed class InstanceLog
    {
        private int _created;
        private int _disposed;

        public int Created => Volatile.Read(ref _created);

        public int Disposed => Volatile.Read(ref _disposed);

        public int NextId() => Interlocked.Increment(ref _created);

        public void Disposing() => Interlocked.Increment(ref _disposed);
    }

    public sealed class ScopedDependency(InstanceLog log) : IDisposable
    {
        public int Id { get; } = log.NextId();

        public void Dispose() => log.Disposing();
    }

    public sealed class ScopedService(ScopedDependency dependency) : IScopedService
    {
        public Task<int> WhoAnsweredAsync() => Task.FromResult(dependency.Id);
    }

    /// <summary>A hosted service that takes the client in its constructor and calls at start.</summary>
    public sealed class GreetingCaller(IBroClient client, TaskCompletionSource<string> greeting) : IHostedService
    {
        /// <summary>Whether the client was connected when the container handed it over.</summary>
        public bool ConnectedWhenInjected { get; } = client.IsConnected;

        public async Task StartAsync(CancellationToken cancellationToken) =>
            greeting.SetResult((await client.CallAsync<string>("greeter-service", "greet", new Greet("host")))!);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>A hosted service of a host with two clients: takes one by its service name.</summary>
    public sealed class KeyedCaller([FromKeyedServices("keyed-caller")] IBroClient client) : IHostedService
    {
        public IBroClient Client { get; } = client;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task An_IBroClient_injected_into_a_hosted_service_is_connected_by_the_host_start_and_calls_through_the_gateway()
    {
        await ConnectedClient("greeter-service", c => c.Serve<IGreeter>(new Greeter()));
        var greeting = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = NewHostBuilder();
        builder.Services.AddBroClient(Options("greeting-caller"));
        builder.Services.AddSingleton(greeting);
        builder.Services.AddSingleton<GreetingCaller>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<GreetingCaller>());
        using var host = builder.Build();

        await host.StartAsync().WaitAsync(Patience);
        var said = await greeting.Task.WaitAsync(Patience);
        var caller = host.Services.GetRequiredService<GreetingCaller>();
        var injected = host.Services.GetRequiredService<IBroClient>();
        var connected = injected.IsConnected;
        await host.StopAsync().WaitAsync(Patience);

        Assert.Equal("Hello, host", said);
        Assert.False(caller.ConnectedWhenInjected, "the client was connected before the host started");
        Assert.True(connected);
        Assert.Same(host.Services.GetRequiredKeyedService<BroClient>("greeting-caller"), injected);
        Assert.False(injected.IsConnected);
    }

    [Fact]
    public async Task AddBroService_injects_a_proxy_of_the_contract_that_calls_through_the_hosted_client()
    {
        await ConnectedClient("greeter-service", c => c.Serve<IGreeter>(new Greeter()));
        var builder = NewHostBuilder();
        builder.Services.AddBroClient(Options("proxy-user"));
        builder.Services.AddBroService<IGreeter>();
        using var host = builder.Build();

        await host.StartAsync().WaitAsync(Patience);
        var greeter = host.Services.GetRequiredService<IGreeter>();
        var said = await greeter.GreetAsync(new Greet("proxy")).WaitAsync(Patience);
        await host.StopAsync().WaitAsync(Patience);

        Assert.Equal("Hello, proxy", said);
        Assert.Same(greeter, host.Services.GetRequiredService<IGreeter>());
    }

    [Fact]
    public async Task Serve_resolves_the_handler_class_in_a_new_scope_for_every_call_and_disposes_it_after()
    {
        var log = new InstanceLog();
        var builder = NewHostBuilder();
        builder.Services.AddSingleton(log);
        builder.Services.AddScoped<ScopedDependency>();
        builder.Services.AddBroClient(Options("scoped-service")).Serve<IScopedService, ScopedService>();
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(Patience);
        var caller = await ConnectedClient("scoped-caller");
        var scoped = caller.GetService<IScopedService>();

        var answers = new List<int>();
        for (var i = 0; i < 3; i++)
            answers.Add(await scoped.WhoAnsweredAsync().WaitAsync(Patience));
        var disposedAfterCalls = log.Disposed;
        await host.StopAsync().WaitAsync(Patience);

        Assert.Equal(new[] { 1, 2, 3 }, answers);
        Assert.Equal(3, log.Created);

        // The scope ends when the method completed, so before its response was sent.
        Assert.Equal(3, disposedAfterCalls);
    }

    [Fact]
    public async Task Several_clients_are_injected_by_service_name_and_an_unkeyed_request_names_them()
    {
        var builder = NewHostBuilder();
        builder.Services.AddBroClient(Options("keyed-caller"));
        builder.Services.AddBroClient(Options("greeter-service")).Serve<IGreeter, Greeter>();
        builder.Services.AddBroService<IGreeter>("keyed-caller");
        builder.Services.AddSingleton<KeyedCaller>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<KeyedCaller>());
        using var host = builder.Build();

        await host.StartAsync().WaitAsync(Patience);
        var said = await host.Services.GetRequiredService<IGreeter>().GreetAsync(new Greet("keys")).WaitAsync(Patience);
        var keyed = host.Services.GetRequiredService<KeyedCaller>().Client;
        var unkeyed = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IBroClient>());
        await host.StopAsync().WaitAsync(Patience);

        Assert.Equal("Hello, keys", said);
        Assert.Equal("keyed-caller", keyed.ServiceName);
        Assert.Equal(
            "2 Bro clients were added (keyed-caller, greeter-service): take one by its service name, [FromKeyedServices(\"keyed-caller\")] IBroClient",
            unkeyed.Message);
    }

    [Fact]
    public void Serving_a_contract_of_another_service_is_refused_when_it_is_registered()
    {
        var builder = new ServiceCollection().AddBroClient(Options("not-the-greeter"));

        var error = Assert.Throws<InvalidOperationException>(() => builder.Serve<IGreeter, Greeter>());

        Assert.Contains("is the contract of service 'greeter-service', but this client registers as 'not-the-greeter'", error.Message);
    }

    [Fact]
    public void A_second_client_of_one_service_name_is_refused()
    {
        var services = new ServiceCollection();
        services.AddBroClient(Options("twice"));

        var error = Assert.Throws<InvalidOperationException>(() => services.AddBroClient(Options("twice")));

        Assert.Equal("A Bro client of service 'twice' was already added to these services", error.Message);
    }

    [Fact]
    public void Resolving_the_client_without_an_actor_system_says_AddAkka_is_missing()
    {
        var services = new ServiceCollection();
        services.AddBroClient(Options("no-akka"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IBroClient>());

        Assert.Equal("The Bro client 'no-akka' runs on Akka.Hosting's actor system: call services.AddAkka(...) as well as AddBroClient", error.Message);
    }

    private BroClientOptions Options(string service) =>
        new() { ServiceName = service, GatewayPath = Gateway.Path };

    private static HostApplicationBuilder NewHostBuilder()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka("di-host", akka => akka.AddHocon(ConfigurationFactory.ParseString("akka.loglevel = WARNING"), HoconAddMode.Prepend));
        return builder;
    }
}
