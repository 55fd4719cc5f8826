using Bro.Protocol;

namespace Bro.Testing;

/// <summary>The CALL the integration specs send when only its route matters.</summary>
public static class TestCalls
{
    /// <summary>A JSON CALL of <c>echo</c> with a 30 s deadline; a fresh id unless one is given.</summary>
    public static CallMessage Echo(string from, string to, string? id = null)
    {
        var call = Messages.BuildCall(from, to, "echo", RawValue.FromObject(new { n = 1 }, BroEncoding.Json),
            CallContexts.Extend(CallContexts.Create(from, TimeSpan.FromSeconds(30)), to));
        return id is null ? call : call with { Id = id };
    }
}
