using Bro.Client.Tests.Support;
using Xunit;

namespace Bro.Client.Tests;

/// <summary>Cancelled calls leave no pending entry behind, whenever the cancellation lands.</summary>
public sealed class CancelledCallSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Calls_cancelled_at_random_moments_against_a_peer_that_never_reads_leave_no_pending_entry()
    {
        // A gateway that acknowledges REGISTER and then never reads: the socket buffer fills, then
        // the outbound queue, and every further call waits in WriteAsync, where it is cancelled.
        await using var gateway = FakeIpcBroGateway.Start();
        using var cts = new CancellationTokenSource(Patience);
        await using var client = new BroClient(new BroClientOptions
        {
            ServiceName = "stalled-caller",
            GatewayPath = gateway.Path,
            OutboundQueueSize = 4,
            HeartbeatInterval = TimeSpan.FromHours(1),
        });
        var connecting = client.ConnectAsync(cts.Token);
        using var peer = await gateway.AcceptAsync(cts.Token);
        await peer.ReadAsync(cts.Token);
        await peer.WriteAsync("""{"type":"REGISTER_ACK"}""", cts.Token);
        await connecting.WaitAsync(Patience);

        const int calls = 20_000;
        var padding = new string('x', 1024);
        var random = new Random(7);
        var cancellations = new List<CancellationTokenSource>(calls);
        var tasks = new List<Task>(calls);
        for (var i = 0; i < calls; i++)
        {
            var cancellation = new CancellationTokenSource();
            cancellations.Add(cancellation);
            var moment = random.Next(4);
            if (moment == 0)
                await cancellation.CancelAsync();
            tasks.Add(client.CallAsync<int>("anyone", "anything", new { padding }, new CallOptions { CancellationToken = cancellation.Token }));
            switch (moment)
            {
                case 1:
                    await cancellation.CancelAsync();
                    break;
                case 2:
                    _ = Task.Run(cancellation.Cancel);
                    break;
                case 3:
                    cancellation.CancelAfter(random.Next(3));
                    break;
            }
        }

        // Every call ends cancelled (the peer never answers) and, once it has, no entry may remain.
        foreach (var task in tasks)
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(Patience));
        Assert.Equal(0, client.GetStatus().PendingRequests);
        foreach (var cancellation in cancellations)
            cancellation.Dispose();
    }
}
