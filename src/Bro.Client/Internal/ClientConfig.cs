using Akka.Configuration;

namespace Bro.Client.Internal;

/// <summary>The embedded <c>reference.conf</c> holding the <c>bro.client</c> defaults.</summary>
internal static class ClientConfig
{
    /// <summary>Logical name of the embedded resource.</summary>
    public const string ReferenceResourceName = "Bro.Client.reference.conf";

    private static readonly Lazy<Config> LazyDefault = new(
        () => ConfigurationFactory.FromResource(ReferenceResourceName, typeof(ClientConfig).Assembly),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The parsed reference configuration.</summary>
    public static Config Default => LazyDefault.Value;
}
