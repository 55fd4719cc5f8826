using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bro.Actors.Tests.Codecs;

/// <summary>
/// Source-generated metadata for the samples, as an AOT-published service would supply it.
/// Metadata only: the generated fast path writes a null byte[] as "" rather than null, which the
/// metadata (and reflection) path and the MessagePack plans do not.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(SampleValues.Profile))]
[JsonSerializable(typeof(SampleValues.Settings))]
internal sealed partial class SampleContext : JsonSerializerContext;
