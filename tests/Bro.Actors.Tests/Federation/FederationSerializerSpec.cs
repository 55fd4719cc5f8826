using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Bro.Federation;
using Bro.Protocol;
using Xunit;

namespace Bro.Actors.Tests.Federation;

/// <summary>What gateways send each other, through the serializer Akka picks for it from <see cref="FederationConfig.Base"/>.</summary>
public sealed class FederationSerializerSpec : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("bro", FederationConfig.Base.WithFallback(
        ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.port = 0")));

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    private (Serializer Serializer, object Copy) RoundTrip(object message)
    {
        var serialization = _system.Serialization;
        var serializer = serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        return (serializer, serialization.Deserialize(bytes, serializer.Identifier, manifest));
    }

    [Fact]
    public void A_frame_batch_is_its_own_bytes_on_the_wire_an_encoding_byte_and_the_frames()
    {
        var frame = Frames.Serialize(new HeartbeatMessage("svc", 1), BroEncoding.MessagePack);
        var batch = new FrameBatch([(byte)BroEncoding.MessagePack, .. frame, .. frame]);

        var (serializer, copy) = RoundTrip(batch);

        Assert.IsType<FederationSerializer>(serializer);
        Assert.Same(batch.Bytes, serializer.ToBinary(batch)); // no envelope, no copy
        var back = Assert.IsType<FrameBatch>(copy);
        Assert.Equal(BroEncoding.MessagePack, back.Encoding);
        Assert.Equal([.. frame, .. frame], back.Frames.ToArray());
    }

    [Fact]
    public void A_directory_entry_and_a_secret_proof_come_back_equal()
    {
        var entry = new DirectoryEntry("akka.tcp://bro@10.0.0.1:4053", -1_234_567, "users-é", BroEncoding.Json, 3);
        var proof = new SecretProof(42, [1, 2, 3, 255]);

        Assert.Equal(entry, RoundTrip(entry).Copy);
        var back = Assert.IsType<SecretProof>(RoundTrip(proof).Copy);
        Assert.Equal(proof.Incarnation, back.Incarnation);
        Assert.Equal(proof.Mac, back.Mac);
    }

    [Fact]
    public void A_batch_that_names_no_encoding_is_refused()
    {
        var serializer = new FederationSerializer((ExtendedActorSystem)_system);
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([7, 0, 0, 0, 0], "F"));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([0, 0, 0, 9], "D"));
    }
}
