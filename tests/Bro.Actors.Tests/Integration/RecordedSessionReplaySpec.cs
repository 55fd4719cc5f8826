using System.Text.Json.Nodes;
using Bro.Actors.Tests.Vectors;
using Bro.Codecs;
using Bro.Protocol;
using Xunit;
using Bro.Testing;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Integration;

/// <summary>
/// Replays the client->gateway frames of the recorded ipc-bro sessions, byte for byte, through
/// raw socket peers against the real gateway, and checks every gateway->client frame against the
/// recording. Where Bro improves on ipc-bro (an unroutable CALL answered with an error RESPONSE
/// the caller can match), the improvement is what is checked.
/// </summary>
public sealed class RecordedSessionReplaySpec
{
    [Theory]
    [InlineData("json")]
    [InlineData("msgpack")]
    public async Task Replaying_the_recorded_session_produces_the_recorded_gateway_frames(string serializer)
    {
        var session = serializer == "json" ? RecordedSession.Json : RecordedSession.MessagePack;

        // The recording's deadlines are long past; the gateway runs on the recording's clock. That
        // clock stands still, so no registration grace would ever end: the recorded gateway
        // answered the call to an unknown service at once, and so must this one.
        var recordedNow = session.Single(f => f.Decoded["type"]!.GetValue<string>() == "ERROR" && f.Decoded["timestamp"] is not null)
            .Decoded["timestamp"]!.GetValue<long>();
        await using var gateway = await TestGateway.StartAsync(s => s with { RegistrationGrace = TimeSpan.Zero },
            time: new FixedTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(recordedNow)));

        var peers = new Dictionary<int, RawPeer>();
        try
        {
            foreach (var frame in session)
            {
                if (!peers.TryGetValue(frame.Connection, out var peer))
                    peers[frame.Connection] = peer = await RawPeer.ConnectAsync(gateway.Path);

                if (frame.Direction == "client->gateway")
                    await peer.WriteAsync(frame.Bytes);
                else
                    await ExpectRecordedFrame(peer, frame);
            }

            // The refused duplicate (connection 4) is closed after its ERROR.
            Assert.True(await peers[4].WaitClosedAsync(), "the duplicate's connection stays open");
            var services = await gateway.Gateway.GetConnectedServicesAsync();
            Assert.Equal(["cart-service", "order-service", "user-service"], services);
        }
        finally
        {
            foreach (var peer in peers.Values)
                await peer.DisposeAsync();
        }
    }

    private static async Task ExpectRecordedFrame(RawPeer peer, RecordedSession.Frame recorded)
    {
        var payload = await peer.ReadPayloadAsync();
        var actual = JsonNode.Parse(MessageCodecs.Json.Encode(Frames.Deserialize(payload)))!;
        var expected = recorded.Decoded;
        switch (expected["type"]!.GetValue<string>())
        {
            case "CALL" or "RESPONSE":
                // Routed frames are forwarded untouched: the very bytes ipc-bro's gateway sent.
                Assert.Equal(recorded.Payload.ToArray(), payload);
                break;
            case "REGISTER_ACK":
                // Bro adds fields (ipc-bro clients ignore them); nothing recorded may differ.
                Assert.Equal("REGISTER_ACK", actual["type"]!.GetValue<string>());
                Assert.Equal("bro", actual["gateway"]!.GetValue<string>());
                break;
            case "ERROR" when expected["id"] is not null:
                // ipc-bro answers an unroutable CALL with an ERROR its clients cannot match to
                // the pending call; Bro answers with an error RESPONSE carrying the CALL's id.
                Assert.Equal("RESPONSE", actual["type"]!.GetValue<string>());
                Assert.Equal(expected["id"]!.GetValue<string>(), actual["id"]!.GetValue<string>());
                Assert.Equal("error", actual["status"]!.GetValue<string>());
                Assert.Equal("ghost-service", actual["from"]!.GetValue<string>());
                Assert.Equal("cart-service", actual["to"]!.GetValue<string>());
                Assert.Equal(expected["error"]!["code"]!.GetValue<string>(), actual["error"]!["code"]!.GetValue<string>());
                Assert.Equal(expected["error"]!["message"]!.GetValue<string>(), actual["error"]!["message"]!.GetValue<string>());
                break;
            case "ERROR":
                Assert.Equal("ERROR", actual["type"]!.GetValue<string>());
                Assert.True(JsonNode.DeepEquals(expected["error"], actual["error"]),
                    $"expected error {expected["error"]}, got {actual["error"]}");
                break;
            default:
                Assert.Fail($"Unexpected recorded frame {expected}");
                break;
        }

        Assert.Equal(recorded.Encoding, EncodingDetector.Detect(payload));
    }
}
