using System.Security.Cryptography;
using System.Text;

namespace Bro.Federation;

/// <summary>Computes and checks <see cref="SecretProof"/>s for one secret.</summary>
internal sealed class FederationSecret(string secret)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(secret);

    /// <summary>The proof that <paramref name="from"/> knows the secret, meant for <paramref name="to"/> only.</summary>
    public byte[] Mac(string from, long fromIncarnation, string to, long toIncarnation) =>
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"bro-federation\n{from}\n{fromIncarnation}\n{to}\n{toIncarnation}"));

    /// <summary>Whether <paramref name="proof"/> is what <paramref name="from"/> had to send <paramref name="to"/>; compared in constant time.</summary>
    public bool Verify(SecretProof proof, string from, string to, long toIncarnation) =>
        CryptographicOperations.FixedTimeEquals(proof.Mac, Mac(from, proof.Incarnation, to, toIncarnation));
}
