using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Bro.Client.Tests.Support;

/// <summary>
/// A scripted stand-in for an ipc-bro gateway: a raw Unix socket speaking JSON frames, driven
/// step by step by the test (accept, read a frame, write a frame, close).
/// </summary>
public sealed class FakeIpcBroGateway : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _directory;

    private FakeIpcBroGateway(string directory)
    {
        _directory = directory;
        Path = System.IO.Path.Combine(directory, "ipc.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(Path));
        _listener.Listen(8);
    }

    /// <summary>The socket path.</summary>
    public string Path { get; }

    /// <summary>Listens in a fresh temp directory.</summary>
    public static FakeIpcBroGateway Start() => new(Directory.CreateTempSubdirectory("bi-").FullName);

    /// <summary>Accepts the next connection.</summary>
    public async Task<Peer> AcceptAsync(CancellationToken cancellationToken) =>
        new(await _listener.AcceptAsync(cancellationToken));

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>One accepted connection.</summary>
    public sealed class Peer(Socket socket) : IDisposable
    {
        /// <summary>Reads one JSON frame.</summary>
        public async Task<JsonElement> ReadAsync(CancellationToken cancellationToken)
        {
            var prefix = await ReadExactlyAsync(4, cancellationToken);
            var payload = await ReadExactlyAsync((int)BinaryPrimitives.ReadUInt32BigEndian(prefix), cancellationToken);
            return JsonDocument.Parse(payload).RootElement.Clone();
        }

        /// <summary>Writes one JSON frame.</summary>
        public async Task WriteAsync(string json, CancellationToken cancellationToken)
        {
            var payload = Encoding.UTF8.GetBytes(json);
            var frame = new byte[4 + payload.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)payload.Length);
            payload.CopyTo(frame, 4);
            await socket.SendAsync(frame, SocketFlags.None, cancellationToken);
        }

        /// <inheritdoc />
        public void Dispose() => socket.Dispose();

        private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
        {
            var buffer = new byte[count];
            var read = 0;
            while (read < count)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
                if (n == 0)
                    throw new EndOfStreamException($"Peer closed after {read} of {count} bytes");
                read += n;
            }

            return buffer;
        }
    }
}
