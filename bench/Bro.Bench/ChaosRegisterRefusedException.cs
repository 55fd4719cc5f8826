namespace Bro.Bench;

/// <summary>The gateway answered a chaos peer's REGISTER with ERROR (its name still taken by a connection the gateway has not seen go yet).</summary>
internal sealed class ChaosRegisterRefusedException(string message) : Exception(message);
