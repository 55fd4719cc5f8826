using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Bro.Bench;

/// <summary>
/// The floor: the least a gateway process can do. No Akka and no parsing beyond the first
/// frame's length prefix. Each connection's first frame (its REGISTER) is answered with a canned
/// REGISTER_ACK in the encoding its first payload byte shows; connections are then paired in
/// accept order (1st with 2nd, 3rd with 4th...) and every later byte is copied to the peer.
/// Each <c>--socket</c> pairs independently, so a chain uses two sockets: two relay hops.
/// </summary>
internal static class FloorRelay
{
    private static readonly byte[] JsonAck = Frame(Encoding.UTF8.GetBytes("""{"type":"REGISTER_ACK"}"""));

    // fixmap(1) { fixstr(4) "type": fixstr(12) "REGISTER_ACK" }
    private static readonly byte[] MessagePackAck = Frame([0x81, 0xA4, .. "type"u8, 0xAC, .. "REGISTER_ACK"u8]);

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var listeners = options.Sockets.Select(Bind).ToList();
        Console.WriteLine("ready");
        foreach (var listener in listeners)
            _ = AcceptLoop(listener);
        await Console.In.ReadToEndAsync();
        foreach (var listener in listeners)
            listener.Dispose();
        return 0;
    }

    private static Socket Bind(string path)
    {
        File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(4096);
        return listener;
    }

    private static async Task AcceptLoop(Socket listener)
    {
        // The first of a pair waits on the second's handshake and vice versa.
        (TaskCompletionSource<Socket> First, TaskCompletionSource<Socket> Second)? waiting = null;
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            // Pairing follows accept order, fixed here, whatever order the handshakes finish in.
            TaskCompletionSource<Socket> mine;
            Task<Socket> peer;
            if (waiting is { } pair)
            {
                (mine, peer) = (pair.Second, pair.First.Task);
                waiting = null;
            }
            else
            {
                pair = (NewHandshake(), NewHandshake());
                (mine, peer) = (pair.First, pair.Second.Task);
                waiting = pair;
            }

            _ = Serve(socket, mine, peer);
        }
    }

    private static TaskCompletionSource<Socket> NewHandshake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static async Task Serve(Socket socket, TaskCompletionSource<Socket> mine, Task<Socket> peer)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            await ReadExactly(socket, buffer.AsMemory(0, 4));
            var length = BinaryPrimitives.ReadInt32BigEndian(buffer);
            var register = length <= buffer.Length ? buffer : new byte[length];
            await ReadExactly(socket, register.AsMemory(0, length));
            await socket.SendAsync(register[0] == (byte)'{' || char.IsWhiteSpace((char)register[0]) ? JsonAck : MessagePackAck);
            mine.SetResult(socket);
            var other = await peer;
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer);
                if (read == 0)
                    break;
                await other.SendAsync(buffer.AsMemory(0, read));
            }

            other.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or EndOfStreamException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    private static async Task ReadExactly(Socket socket, Memory<byte> into)
    {
        while (into.Length > 0)
        {
            var read = await socket.ReceiveAsync(into);
            if (read == 0)
                throw new EndOfStreamException();
            into = into[read..];
        }
    }

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }
}
