using System.ComponentModel;

namespace Bro.Client.Contracts;

/// <summary>
/// The implementation of a contract that answers one call, with what owns it: the generated
/// per-call registration creates one for each incoming call, invokes <see cref="Service"/> and
/// disposes the scope once the method's task completed. The hosting layer's is a DI scope, so a
/// handler class and its scoped dependencies live exactly as long as one call.
/// </summary>
/// <typeparam name="TService">The contract interface.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IBroCallScope<out TService> : IAsyncDisposable
    where TService : class
{
    /// <summary>The implementation answering this call.</summary>
    TService Service { get; }
}
