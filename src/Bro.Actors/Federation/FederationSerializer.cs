using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Bro.Protocol;

namespace Bro.Federation;

/// <summary>
/// Akka serializer for what gateways send each other over the cluster: <see cref="DirectoryEntry"/>
/// (inside the directory's ORSet), <see cref="SecretProof"/> and <see cref="DataLinkOffer"/>.
/// Bound in <see cref="FederationConfig.Base"/>. (Frames do not cross the cluster: they travel
/// on data links, see <see cref="PeerEndpoint"/>.)
/// </summary>
/// <remarks>
/// Short binary records, big-endian integers and length-prefixed UTF-8 strings and bytes,
/// rather than Akka's default JSON: compact, and nothing in them names a .NET type to load.
/// </remarks>
internal sealed class FederationSerializer : SerializerWithStringManifest
{
    private const string OfferManifest = "O";
    private const string EntryManifest = "D";
    private const string ProofManifest = "S";

    /// <summary>Created by Akka's serialization from the configuration.</summary>
    public FederationSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>Bro's serializer id, clear of Akka's own (0-100).</summary>
    public override int Identifier => 4_711;

    /// <inheritdoc />
    public override string Manifest(object o) => o switch
    {
        DataLinkOffer => OfferManifest,
        DirectoryEntry => EntryManifest,
        SecretProof => ProofManifest,
        _ => throw new ArgumentException($"{nameof(FederationSerializer)} cannot serialize {o.GetType()}", nameof(o)),
    };

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => obj switch
    {
        DataLinkOffer o => Write(w =>
        {
            w.String(o.Host);
            w.Int(o.Port);
            w.Bytes(o.Token);
            w.Byte(o.HoldsYours ? (byte)1 : (byte)0);
        }),
        DirectoryEntry e => Write(w =>
        {
            w.String(e.Gateway);
            w.Long(e.Incarnation);
            w.String(e.Service);
            w.Byte((byte)e.Encoding);
            w.Int(e.Connections);
        }),
        SecretProof p => Write(w =>
        {
            w.Long(p.Incarnation);
            w.Bytes(p.Mac);
        }),
        _ => throw new ArgumentException($"{nameof(FederationSerializer)} cannot serialize {obj.GetType()}", nameof(obj)),
    };

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        switch (manifest)
        {
            case OfferManifest:
            {
                var r = new Reader(bytes);
                return new DataLinkOffer(r.String(), r.Int(), r.Bytes(), r.Byte() != 0);
            }
            case EntryManifest:
            {
                var r = new Reader(bytes);
                return new DirectoryEntry(r.String(), r.Long(), r.String(), (BroEncoding)r.Byte(), r.Int());
            }
            case ProofManifest:
            {
                var r = new Reader(bytes);
                return new SecretProof(r.Long(), r.Bytes());
            }
            default:
                throw new SerializationException($"{nameof(FederationSerializer)} knows no manifest '{manifest}'");
        }
    }

    private static byte[] Write(Action<Writer> write)
    {
        var writer = new Writer();
        write(writer);
        return writer.ToArray();
    }

    private sealed class Writer
    {
        private readonly MemoryStream _stream = new();
        private readonly byte[] _scratch = new byte[8];

        public void Byte(byte value) => _stream.WriteByte(value);

        public void Int(int value)
        {
            BinaryPrimitives.WriteInt32BigEndian(_scratch, value);
            _stream.Write(_scratch, 0, 4);
        }

        public void Long(long value)
        {
            BinaryPrimitives.WriteInt64BigEndian(_scratch, value);
            _stream.Write(_scratch, 0, 8);
        }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            Int(value.Length);
            _stream.Write(value);
        }

        public void String(string value) => Bytes(Encoding.UTF8.GetBytes(value));

        public byte[] ToArray() => _stream.ToArray();
    }

    private ref struct Reader(byte[] bytes)
    {
        private int _offset;

        public byte Byte() => bytes[Take(1)];

        public int Int() => BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(Take(4), 4));

        public long Long() => BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(Take(8), 8));

        public byte[] Bytes()
        {
            var length = Int();
            return bytes.AsSpan(Take(length), length).ToArray();
        }

        public string String()
        {
            var length = Int();
            return Encoding.UTF8.GetString(bytes, Take(length), length);
        }

        // Bounds-checked, so a truncated record fails with a message instead of reading past it.
        private int Take(int count)
        {
            if (count < 0 || _offset + count > bytes.Length)
                throw new SerializationException($"A federation record of {bytes.Length} bytes ends before offset {_offset + count}");
            var at = _offset;
            _offset += count;
            return at;
        }
    }
}
