using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Bro.Bench;

/// <summary>
/// The memory a gateway spends on idle services: its resident set before and after
/// <c>count</c> connections each registered (REGISTER answered by REGISTER_ACK) and left idle.
/// Raw sockets, not BroClients, so the driver's own cost stays out of the way.
/// </summary>
internal static class IdleConnections
{
    public static async Task<IdleResult> MeasureAsync(string socketPath, int pid, int count)
    {
        await Task.Delay(500);
        var before = ProcessProbe.RssMb(pid);
        var sockets = new List<Socket>(count);
        try
        {
            var buffer = new byte[4096];
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                sockets.Add(socket);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
                await socket.SendAsync(Register($"idle-{i}"));
                // The ACK (a few dozen bytes) proves the gateway registered this connection.
                if (await socket.ReceiveAsync(buffer) == 0)
                    throw new InvalidOperationException($"idle connection {i} closed before REGISTER_ACK");
            }

            await Task.Delay(1000);
            var after = ProcessProbe.RssMb(pid);
            return new IdleResult(count, before, after);
        }
        finally
        {
            foreach (var socket in sockets)
                socket.Dispose();
        }
    }

    private static byte[] Register(string name)
    {
        var payload = Encoding.UTF8.GetBytes($$"""{"type":"REGISTER","serviceName":"{{name}}","methods":["noop"]}""");
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }
}
