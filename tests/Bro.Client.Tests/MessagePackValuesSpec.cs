using System.Text.Json;
using Bro.Client.Tests.Support;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests;

/// <summary>User types between clients through a real gateway, written and read as MessagePack directly.</summary>
public sealed class MessagePackValuesSpec(ITestOutputHelper output) : ClientSpec(output)
{
    public enum Priority
    {
        Low,
        High,
    }

    public sealed record Parcel(string Label, double WeightKg, byte[] Photo, Dictionary<string, string?> Notes);

    public sealed record Shipment(
        Guid Id,
        string Customer,
        Priority Priority,
        DateTime ShippedAt,
        DateTimeOffset Eta,
        long TrackingNumber,
        decimal Value,
        List<Parcel> Parcels,
        int[] Route,
        string? Instructions,
        Parcel? Spare);

    private static Shipment Sample() => new(
        Guid.Parse("0d7c4d4e-8f1b-4b5e-9a43-5f2a6c1d7e90"),
        "Ada ✓",
        Priority.High,
        new DateTime(2026, 11, 26, 10, 0, 0, DateTimeKind.Utc),
        new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.FromHours(1)),
        1_795_618_670_882,
        1999.95m,
        [
            new Parcel("books", 2.5, [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 7))], new() { ["fragile"] = "no", ["gift"] = null }),
            new Parcel("lamp", 0.75, [], []),
        ],
        [3, 1, 4, 1, 5],
        null,
        null);

    [Fact]
    public async Task Two_MessagePack_clients_echo_a_rich_value_through_the_gateway()
    {
        await ConnectedClient("echo-service", c => c.RegisterMethod<Shipment, Shipment>("echo", (s, _) => Task.FromResult(s)), MessagePack);
        var caller = await ConnectedClient("caller", configure: MessagePack);

        var echoed = await caller.CallAsync<Shipment>("echo-service", "echo", Sample()).WaitAsync(Patience);

        AssertSame(Sample(), echoed);
    }

    [Fact]
    public async Task A_JSON_client_and_a_MessagePack_client_exchange_a_rich_value_byte_arrays_included()
    {
        await ConnectedClient("msgpack-echo", c => c.RegisterMethod<Shipment, Shipment>("echo", (s, _) => Task.FromResult(s)), MessagePack);
        await ConnectedClient("json-echo", c => c.RegisterMethod<Shipment, Shipment>("echo", (s, _) => Task.FromResult(s)));
        var jsonCaller = await ConnectedClient("json-caller");
        var msgpackCaller = await ConnectedClient("msgpack-caller", configure: MessagePack);

        AssertSame(Sample(), await jsonCaller.CallAsync<Shipment>("msgpack-echo", "echo", Sample()).WaitAsync(Patience));
        AssertSame(Sample(), await msgpackCaller.CallAsync<Shipment>("json-echo", "echo", Sample()).WaitAsync(Patience));
    }

    [Fact]
    public async Task A_relay_that_never_reads_a_value_passes_on_the_bytes_it_got()
    {
        RawValue? received = null;
        RawValue? passedOn = null;
        await ConnectedClient("echo-service", c => c.RegisterMethod<Shipment, Shipment>("echo", (s, _) => Task.FromResult(s)), MessagePack);
        var relay = await ConnectedClient("relay", configure: MessagePack);
        relay.RegisterMethod<RawValue, RawValue>("relay", async (parameters, _) =>
        {
            received = parameters;
            passedOn = await relay.CallAsync<RawValue>("echo-service", "echo", parameters);
            return passedOn!;
        });
        var caller = await ConnectedClient("caller", configure: MessagePack);

        var echoed = await caller.CallAsync<Shipment>("relay", "relay", Sample()).WaitAsync(Patience);

        AssertSame(Sample(), echoed);
        var sent = RawValue.FromObject(Sample(), BroEncoding.MessagePack);
        Assert.Equal(BroEncoding.MessagePack, received!.Encoding);
        Assert.Equal(sent.Bytes.ToArray(), received.Bytes.ToArray());
        Assert.Equal(sent.Bytes.ToArray(), passedOn!.Bytes.ToArray());
    }

    public sealed record Contact(string FirstName, string? MiddleName, Priority Priority);

    [Theory]
    [InlineData(BroSerializer.Json)]
    [InlineData(BroSerializer.MessagePack)]
    public async Task The_client_serializer_options_shape_the_keys_and_nulls_alike_in_both_encodings(BroSerializer serializer)
    {
        var snakeCase = new JsonSerializerOptions(RawValue.DefaultJsonOptions)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        };
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await ConnectedClient("raw-echo", c => c.RegisterMethod<RawValue, RawValue>("echo", (raw, _) =>
        {
            seen.TrySetResult(raw.ToJsonString());
            return Task.FromResult(raw);
        }));
        var caller = await ConnectedClient("snake-caller", configure: o => o with { Serializer = serializer, SerializerOptions = snakeCase });

        var echoed = await caller.CallAsync<Contact>("raw-echo", "echo", new Contact("Ada", null, Priority.High)).WaitAsync(Patience);

        Assert.Equal("""{"first_name":"Ada","priority":1}""", await seen.Task.WaitAsync(Patience));
        Assert.Equal(new Contact("Ada", null, Priority.High), echoed);
    }

    private static BroClientOptions MessagePack(BroClientOptions options) => options with { Serializer = BroSerializer.MessagePack };

    /// <summary>Records holding collections compare by reference: their JSON says whether they hold the same.</summary>
    private static void AssertSame(Shipment expected, Shipment? actual) =>
        Assert.Equal(
            JsonSerializer.Serialize(expected, RawValue.DefaultJsonOptions),
            JsonSerializer.Serialize(actual, RawValue.DefaultJsonOptions));
}
