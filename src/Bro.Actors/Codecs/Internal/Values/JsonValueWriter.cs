using System.Buffers;
using System.Text.Json;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// System.Text.Json into a caller's buffer, writing exactly what <see cref="JsonSerializer.SerializeToUtf8Bytes{TValue}(TValue, JsonSerializerOptions?)"/>
/// returns, without that array of its own.
/// </summary>
/// <remarks>One writer is kept per thread, for the options it was last used with.</remarks>
internal static class JsonValueWriter
{
    /// <summary>System.Text.Json's nesting limit when the options leave <c>MaxDepth</c> at 0.</summary>
    private const int DefaultMaxDepth = 64;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static JsonSerializerOptions? t_options;

    /// <summary>Appends <paramref name="value"/> to <paramref name="output"/> as JSON.</summary>
    public static void Serialize<T>(T value, JsonSerializerOptions options, IBufferWriter<byte> output)
    {
        // Taken, not borrowed: a converter that serializes in turn gets a writer of its own.
        var writer = ReferenceEquals(t_options, options) ? t_writer : null;
        t_writer = null;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(output, WriterOptions(options));
        }
        else
        {
            writer.Reset(output);
        }

        try
        {
            JsonSerializer.Serialize(writer, value, options);
            writer.Flush();
        }
        finally
        {
            t_writer = writer;
            t_options = options;
        }
    }

    /// <summary>The writer options System.Text.Json derives from <paramref name="options"/> when it owns the writer.</summary>
    private static JsonWriterOptions WriterOptions(JsonSerializerOptions options) => new()
    {
        Encoder = options.Encoder,
        Indented = options.WriteIndented,
        IndentCharacter = options.IndentCharacter,
        IndentSize = options.IndentSize,
        NewLine = options.NewLine,
        MaxDepth = options.MaxDepth == 0 ? DefaultMaxDepth : options.MaxDepth,
        SkipValidation = true,
    };
}
