using System.Text.Json.Nodes;
using Bro.Codecs;
using Bro.Protocol;
using Xunit;

namespace Bro.Actors.Tests.Codecs;

/// <summary>Compares messages as JSON trees, the form the recorded session gives them in.</summary>
internal static class JsonTrees
{
    public static JsonNode Of(BroMessage message) => JsonNode.Parse(MessageCodecs.Json.Encode(message))!;

    public static void AssertSame(JsonNode expected, JsonNode actual, string because)
    {
        Assert.True(
            JsonNode.DeepEquals(expected, actual),
            $"{because}\nexpected: {expected.ToJsonString()}\nactual:   {actual.ToJsonString()}");
    }
}
