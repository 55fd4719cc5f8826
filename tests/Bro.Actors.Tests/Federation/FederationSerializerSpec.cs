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
    public void A_data_link_offer_is_a_short_binary_record_that_comes_back_equal()
    {
        var offer = new DataLinkOffer("gateway-é.example", 4054, DataLinkHello.NewToken(), HoldsYours: true);

        var (serializer, copy) = RoundTrip(offer);

        Assert.IsType<FederationSerializer>(serializer);
        // host (4 + 18 bytes), port (4), token (4 + 32), flag (1): no JSON envelope, no type name.
        Assert.Equal(4 + 18 + 4 + 4 + DataLinkHello.TokenSize + 1, serializer.ToBinary(offer).Length);
        var back = Assert.IsType<DataLinkOffer>(copy);
        Assert.Equal((offer.Host, offer.Port, offer.HoldsYours), (back.Host, back.Port, back.HoldsYours));
        Assert.Equal(offer.Token, back.Token);
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
    public void A_truncated_record_or_an_unknown_manifest_is_refused()
    {
        var serializer = new FederationSerializer((ExtendedActorSystem)_system);
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([0, 0, 0, 1, 65, 0], "O"));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([0], "F"));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([0, 0, 0, 9], "D"));
    }
}
