namespace Bro.Client;

/// <summary>The wire encoding a <see cref="BroClient"/> writes its frames in.</summary>
public enum BroSerializer
{
    /// <summary>UTF-8 JSON payloads (the default, as in ipc-bro).</summary>
    Json,

    /// <summary>MessagePack map payloads.</summary>
    MessagePack,
}
