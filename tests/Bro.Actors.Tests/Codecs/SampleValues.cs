using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bro.Actors.Tests.Codecs;

/// <summary>User types covering what a value can hold: records, classes, nesting, collections, nulls.</summary>
public static class SampleValues
{
    public enum Tier
    {
        Free,
        Pro,
        Enterprise = 7,
    }

    public sealed record Address(string Street, string? City, int Zip);

    /// <summary>A record built through its constructor, with an init-only property besides.</summary>
    public sealed record Profile(
        string Id,
        string DisplayName,
        int Age,
        long Visits,
        ulong Huge,
        double Score,
        float Ratio,
        decimal Balance,
        bool Active,
        Tier Tier,
        DateTime CreatedAt,
        DateTimeOffset SeenAt,
        Guid Key,
        TimeSpan Uptime,
        Address Home,
        Address? Work,
        List<Address> Past,
        string[] Tags,
        Dictionary<string, int> Counters,
        IReadOnlyList<double> Readings,
        int? MaybeNumber,
        string? Nickname,
        byte[]? Avatar,
        JsonElement Extra)
    {
        public Dictionary<string, Address?>? Places { get; init; }

        [JsonPropertyName("custom_name")]
        public string Renamed { get; init; } = "";

        [JsonIgnore]
        public string Secret { get; init; } = "";
    }

    /// <summary>A mutable class read through its parameterless constructor and setters.</summary>
    public sealed class Settings
    {
        public string? Theme { get; set; }

        public int FontSize { get; set; }

        public List<string> Plugins { get; set; } = [];

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
        public int Hidden { get; set; }

        public Shouted Shout { get; set; }

        public Settings? Child { get; set; }
    }

    /// <summary>A type with a user converter: its values must take the JSON path.</summary>
    [JsonConverter(typeof(ShoutedConverter))]
    public readonly record struct Shouted(string Text);

    /// <summary>Writes upper case, reads lower case: only this converter knows either.</summary>
    public sealed class ShoutedConverter : JsonConverter<Shouted>
    {
        public override Shouted Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(reader.GetString()!.ToLowerInvariant());

        public override void Write(Utf8JsonWriter writer, Shouted value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Text?.ToUpperInvariant());
    }

    public static Profile Rich(byte[]? avatar) => new(
        Id: "u-123",
        DisplayName: "Ada Lovelace ✓ 日本",
        Age: 36,
        Visits: 1_795_618_670_882,
        Huge: ulong.MaxValue,
        Score: 99.99,
        Ratio: 0.1f,
        Balance: 1234.5m,
        Active: true,
        Tier: Tier.Enterprise,
        CreatedAt: new DateTime(2024, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc),
        SeenAt: new DateTimeOffset(2025, 6, 7, 8, 9, 10, TimeSpan.FromHours(2)),
        Key: Guid.Parse("9b2e7a3c-6f1d-4c8e-a5b0-3d2f1e0c9b8a"),
        Uptime: TimeSpan.FromMinutes(90.5),
        Home: new Address("1 Analytical Way", "London", 12345),
        Work: null,
        Past: [new Address("2 Engine St", null, 0), new Address("3 Loom Rd", "Leeds", -1)],
        Tags: ["math", "poetry", ""],
        Counters: new() { ["Calls"] = 3, ["errors"] = 0, ["big"] = int.MaxValue },
        Readings: [0, -0.25, 1e-7, 1e300, 3.0],
        MaybeNumber: null,
        Nickname: null,
        Avatar: avatar,
        Extra: JsonDocument.Parse("""{"free":[1,"two",{"three":3.5}],"none":null}""").RootElement)
    {
        Places = new() { ["home"] = new Address("1 Analytical Way", null, 1), ["nowhere"] = null },
        Renamed = "renamed",
        Secret = "never written",
    };

    public static Settings Tree() => new()
    {
        Theme = "dark",
        FontSize = 14,
        Plugins = ["git", "lint"],
        Shout = new Shouted("quiet"),
        Child = new Settings { Theme = null, FontSize = 0, Shout = new Shouted("child") },
    };
}
