using Bro.BuiltIn;
using Bro.Gateway.Client;
using Bro.Federation;

namespace Bro.Gateway.Commands;

/// <summary>Asks a gateway for its cluster view, for <c>bro services</c> and <c>bro status</c>.</summary>
internal static class ClusterViews
{
    /// <summary>
    /// The gateway's <see cref="FederationView"/>, or <c>null</c> when it runs on one host (or
    /// predates federation and does not know the <c>cluster</c> method).
    /// </summary>
    public static async Task<FederationView?> GetAsync(GatewayConnection connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var view = await ClientCommand.CallBroAsync<FederationView>(connection, BroService.Cluster, null, timeout, cancellationToken);
            return view.Self.Length == 0 ? null : view;
        }
        catch (CommandFailedException)
        {
            return null;
        }
    }
}
