namespace Bro.Federation;

/// <summary>One line of the directory: a service and the gateway serving it.</summary>
/// <param name="Service">The service name.</param>
/// <param name="Gateway">The Akka address of the gateway serving it.</param>
/// <param name="Encoding">The encoding its connections speak there.</param>
/// <param name="Connections">How many connections serve it there.</param>
public sealed record RemoteServiceInfo(string Service, string Gateway, string Encoding, int Connections);
