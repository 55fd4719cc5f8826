using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Bro.Client.Contracts;

/// <summary>
/// The contracts compiled into the process: code generated for each <see cref="BroServiceAttribute"/>
/// interface registers its proxy factory and its registration here from a module initializer
/// (which runs when code of that assembly first runs). <see cref="BroClient.GetService{TService}"/> and
/// <see cref="BroClient.Serve{TService}"/> look them up: no reflection, so trimming and AOT keep
/// exactly what the generated code names.
/// </summary>
public static class BroContracts
{
    /// <summary>
    /// Registers the generated code of contract <typeparamref name="TService"/> (called by that
    /// code; a later registration of the same contract replaces the earlier). Thread-safe.
    /// </summary>
    /// <typeparam name="TService">The contract interface.</typeparam>
    /// <param name="serviceName">The service name of its <see cref="BroServiceAttribute"/>.</param>
    /// <param name="createProxy">Creates a proxy calling the service through a client.</param>
    /// <param name="serve">Registers every method of an implementation on a client.</param>
    /// <param name="createPerCall">Creates an implementation whose every method runs on an instance
    /// taken from a new <see cref="IBroCallScope{TService}"/>, disposed when the method completes.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Register<TService>(
        string serviceName, Func<BroClient, TService> createProxy, Action<BroClient, TService> serve,
        Func<Func<IBroCallScope<TService>>, TService> createPerCall)
        where TService : class
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentNullException.ThrowIfNull(createProxy);
        ArgumentNullException.ThrowIfNull(serve);
        ArgumentNullException.ThrowIfNull(createPerCall);
        Contract<TService>.Current = new Contract<TService>(serviceName, createProxy, serve, createPerCall);
    }

    internal static TService CreateProxy<TService>(BroClient client)
        where TService : class => Get<TService>().CreateProxy(client);

    internal static void Serve<TService>(BroClient client, TService implementation)
        where TService : class
    {
        var contract = ServedBy<TService>(client.ServiceName);
        contract.Serve(client, implementation);
    }

    /// <summary>
    /// Throws what <see cref="Serve{TService}"/> would for a client named <paramref name="serviceName"/>:
    /// a host checks its registrations before any client exists.
    /// </summary>
    internal static void EnsureServable<TService>(string serviceName)
        where TService : class => ServedBy<TService>(serviceName);

    /// <summary>
    /// Registers every method of contract <typeparamref name="TService"/> on <paramref name="client"/>,
    /// each call answered by the instance of a scope <paramref name="createScope"/> makes for that call.
    /// </summary>
    internal static void ServePerCall<TService>(BroClient client, Func<IBroCallScope<TService>> createScope)
        where TService : class
    {
        var contract = ServedBy<TService>(client.ServiceName);
        contract.Serve(client, contract.CreatePerCall(createScope));
    }

    private static Contract<TService> ServedBy<TService>(string serviceName)
        where TService : class
    {
        var contract = Get<TService>();

        // Methods register under the client's own name: serving another service's contract would
        // leave its callers with SERVICE_NOT_FOUND while this client answers nobody.
        if (contract.ServiceName != serviceName)
        {
            throw new InvalidOperationException(
                $"{typeof(TService).FullName} is the contract of service '{contract.ServiceName}', " +
                $"but this client registers as '{serviceName}'");
        }

        return contract;
    }

    private static Contract<TService> Get<TService>()
        where TService : class
    {
        if (Contract<TService>.Current is { } contract)
            return contract;

        // A module initializer runs when code of its module first runs, not when one of its types
        // is merely named: an assembly holding only contracts and their records may not have run
        // yet. Running it here registers its contracts (once; a no-op if it already ran).
        RuntimeHelpers.RunModuleConstructor(typeof(TService).Module.ModuleHandle);
        return Contract<TService>.Current ?? throw new InvalidOperationException(
            $"No generated Bro contract for {typeof(TService).FullName}: mark the interface [BroService(\"name\")] " +
            "in a project that references Bro.Client (its source generator writes the contract), and fix any BRO error it reports.");
    }

    /// <summary>One slot per contract type: a static generic field, so a lookup is a field read.</summary>
    private sealed class Contract<TService>(
        string serviceName, Func<BroClient, TService> createProxy, Action<BroClient, TService> serve,
        Func<Func<IBroCallScope<TService>>, TService> createPerCall)
        where TService : class
    {
        // Volatile: written by a module initializer, read by any thread later.
        private static volatile Contract<TService>? _current;

        public static Contract<TService>? Current
        {
            get => _current;
            set => _current = value;
        }

        public string ServiceName { get; } = serviceName;

        public Func<BroClient, TService> CreateProxy { get; } = createProxy;

        public Action<BroClient, TService> Serve { get; } = serve;

        public Func<Func<IBroCallScope<TService>>, TService> CreatePerCall { get; } = createPerCall;
    }
}
