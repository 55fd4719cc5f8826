using Bro.Protocol;

namespace Bro.Client.Events;

/// <summary>Raised by <see cref="BroClient.ResponseReceived"/> for every RESPONSE matched to a pending call.</summary>
public sealed class ResponseReceivedEventArgs : EventArgs
{
    internal ResponseReceivedEventArgs(ResponseMessage response)
    {
        Response = response;
    }

    /// <summary>The response as received.</summary>
    public ResponseMessage Response { get; }

    /// <summary>The id of the call it answers.</summary>
    public string RequestId => Response.Id;

    /// <summary>Whether the call succeeded.</summary>
    public bool Success => Response.Status == ResponseStatus.Success;
}
