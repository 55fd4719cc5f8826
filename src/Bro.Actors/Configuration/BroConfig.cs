using Akka.Configuration;

namespace Bro.Configuration;

/// <summary>Bro's built-in HOCON configuration.</summary>
public static class BroConfig
{
    /// <summary>The resource name under which <c>reference.conf</c> is embedded in this assembly.</summary>
    internal const string ReferenceResourceName = "Bro.reference.conf";

    private static readonly Lazy<Config> LazyDefault = new(
        () => ConfigurationFactory.FromResource(ReferenceResourceName, typeof(BroConfig).Assembly),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The defaults from the embedded <c>reference.conf</c> (the <c>bro</c> section). Loaded once,
    /// on first use; thread-safe. Use it as the fallback of user configuration.
    /// </summary>
    public static Config Default => LazyDefault.Value;
}
