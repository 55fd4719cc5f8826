using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bro.Gateway.Commands;

/// <summary>How <c>--json</c> output is written: camelCase, compact, absent values left out.</summary>
internal static class JsonOutput
{
    /// <summary>The serializer options of every <c>--json</c> line.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes <paramref name="value"/> as one line of JSON on stdout.</summary>
    public static void WriteLine<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));
}
