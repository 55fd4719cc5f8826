using System.Collections.Concurrent;
using Akka;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Bro.Transport;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Actors.Tests.Transport;

public sealed class UnixSocketConnectionSpec(ITestOutputHelper output) : SocketSpec(output)
{
    [Fact]
    public async Task Echo_server_returns_each_of_100_concurrent_clients_its_own_bytes_whole()
    {
        var path = Sockets.File("echo.sock");
        await BindEcho(path);

        var clients = Enumerable.Range(0, 100).Select(async client =>
        {
            var sent = new byte[4096 + client * 97];
            new Random(client).NextBytes(sent);
            var chunks = sent.Chunk(1000).Select(ByteString.FromBytes);

            var (connected, received) = Source.From(chunks)
                .ViaMaterialized(UnixSocket.OutgoingConnection(path), Keep.Right)
                .ToMaterialized(Collect(), Keep.Both)
                .Run(Materializer);

            Assert.Equal(path, (await connected.WaitAsync(Timeout)).Path);
            Assert.Equal(sent, (await received.WaitAsync(Timeout)).ToArray());
        });

        await Task.WhenAll(clients);
    }

    [Fact]
    public async Task Echo_server_returns_8_MiB_sent_in_both_directions_at_once()
    {
        var path = Sockets.File("big.sock");
        await BindEcho(path);
        var sent = new byte[8 * 1024 * 1024];
        Random.Shared.NextBytes(sent);

        var received = await Source.From(sent.Chunk(100_000).Select(ByteString.FromBytes))
            .Via(UnixSocket.OutgoingConnection(path))
            .RunWith(Collect(), Materializer)
            .WaitAsync(Timeout);

        Assert.Equal(sent.Length, received.Count);
        Assert.Equal(sent, received.ToArray());
    }

    [Fact]
    public async Task Writer_is_held_back_while_the_reader_does_not_pull()
    {
        var path = Sockets.File("slow.sock");
        var reader = this.CreateManualSubscriberProbe<ByteString>();
        var binding = await UnixSocket.Bind(path)
            .To(Sink.ForEach<UnixSocketIncomingConnection>(connection =>
                connection.Flow.RunWith(Source.Never<ByteString>(), Sink.FromSubscriber(reader), Materializer)))
            .Run(Materializer)
            .WaitAsync(Timeout);
        const int total = 8 * 1024 * 1024;
        var pulled = 0L;

        // The reader never writes back, so this stream lives until the test's system stops.
        _ = Source.From(Enumerable.Range(0, total / 65536).Select(_ => ByteString.FromBytes(new byte[65536])))
            .Select(chunk =>
            {
                Interlocked.Add(ref pulled, chunk.Count);
                return chunk;
            })
            .Via(UnixSocket.OutgoingConnection(path))
            .RunWith(Sink.Ignore<ByteString>(), Materializer);
        var subscription = reader.ExpectSubscription();

        // Nothing is requested on the reading side: the writer may fill the socket and the
        // stream buffers, but must not be pulled for all of its 8 MiB.
        reader.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        Assert.InRange(Interlocked.Read(ref pulled), 1, total / 2);

        subscription.Request(long.MaxValue);
        var received = 0L;
        while (received < total)
            received += reader.ExpectNext(Timeout).Count;
        Assert.Equal(total, received);
        Assert.Equal(total, Interlocked.Read(ref pulled));
        await binding.UnbindAsync();
    }

    [Fact]
    public async Task Server_still_writes_to_a_client_that_completed_its_own_writing()
    {
        var path = Sockets.File("half.sock");
        // The answer can only be written once the client's direction reached end of stream.
        var countBytes = Flow.Create<ByteString>()
            .Aggregate(0, (count, chunk) => count + chunk.Count)
            .Select(count => ByteString.FromString($"received {count} bytes"));
        await UnixSocket.Bind(path)
            .To(Sink.ForEach<UnixSocketIncomingConnection>(connection => connection.HandleWith(countBytes, Materializer)))
            .Run(Materializer)
            .WaitAsync(Timeout);

        var answer = await Source.From([ByteString.FromString("hello "), ByteString.FromString("world")])
            .Via(UnixSocket.OutgoingConnection(path))
            .RunWith(Collect(), Materializer)
            .WaitAsync(Timeout);

        Assert.Equal("received 11 bytes", answer.ToString());
    }

    [Fact]
    public async Task Server_that_stops_reading_still_writes_its_last_words_before_closing()
    {
        var path = Sockets.File("last.sock");
        // The handler cancels its read side at once (as a gateway does after a frame it cannot
        // read), yet what it writes afterwards still reaches the peer before the socket closes.
        // The words come a little later, so the cancellation surely comes first.
        var lastWords = Source.From([ByteString.FromString("bad frame, "), ByteString.FromString("goodbye")])
            .InitialDelay(TimeSpan.FromMilliseconds(200));
        await UnixSocket.Bind(path)
            .To(Sink.ForEach<UnixSocketIncomingConnection>(connection =>
                connection.HandleWith(Flow.FromSinkAndSource(Sink.Cancelled<ByteString>(), lastWords), Materializer)))
            .Run(Materializer)
            .WaitAsync(Timeout);

        var answer = await Source.Never<ByteString>()
            .Via(UnixSocket.OutgoingConnection(path))
            .RunWith(Collect(), Materializer)
            .WaitAsync(Timeout);

        Assert.Equal("bad frame, goodbye", answer.ToString());
    }

    [Fact]
    public async Task Peer_closing_mid_frame_fails_only_its_own_framing_stream()
    {
        var path = Sockets.File("frames.sock");
        var terminations = new BlockingCollection<Task>();
        await UnixSocket.Bind(path)
            .To(Sink.ForEach<UnixSocketIncomingConnection>(connection =>
                terminations.Add(connection.HandleWith(
                    BroFraming.Decoder(1024).Via(BroFraming.Encoder(1024)).WatchTermination(Keep.Right),
                    Materializer))))
            .Run(Materializer)
            .WaitAsync(Timeout);

        var goodIn = this.CreatePublisherProbe<ByteString>();
        var goodOut = this.CreateSubscriberProbe<ByteString>();
        Source.FromPublisher(goodIn)
            .Via(BroFraming.Encoder(1024))
            .Via(UnixSocket.OutgoingConnection(path))
            .Via(BroFraming.Decoder(1024))
            .RunWith(Sink.FromSubscriber(goodOut), Materializer);
        // One more than the two answers: the end of the stream is only read on demand too.
        goodOut.Request(3);
        goodIn.SendNext(ByteString.FromString("first"));
        Assert.Equal("first", goodOut.ExpectNext(Timeout).ToString());
        Assert.True(terminations.TryTake(out var goodTermination, Timeout));

        // A prefix announcing 100 bytes, 10 of them, then the end of the client's stream.
        // The server drops this client on failure; how the client's own stream ends is not the point.
        _ = Source.Single(ByteString.FromBytes([0, 0, 0, 100, .. new byte[10]]))
            .Via(UnixSocket.OutgoingConnection(path))
            .RunWith(Sink.Ignore<ByteString>(), Materializer);
        Assert.True(terminations.TryTake(out var badTermination, Timeout));

        await Assert.ThrowsAsync<FrameTruncatedException>(() => badTermination!.WaitAsync(Timeout));
        goodIn.SendNext(ByteString.FromString("second"));
        Assert.Equal("second", goodOut.ExpectNext(Timeout).ToString());
        Assert.False(goodTermination!.IsCompleted);
        goodIn.SendComplete();
        goodOut.ExpectComplete();
    }

    [Fact]
    public async Task Connecting_to_a_missing_path_faults_the_connection_task_and_the_flow()
    {
        var path = Sockets.File("none.sock");

        var (connected, received) = Source.Maybe<ByteString>()
            .ViaMaterialized(UnixSocket.OutgoingConnection(path), Keep.Right)
            .ToMaterialized(Sink.Seq<ByteString>(), Keep.Both)
            .Run(Materializer);

        var error = await Assert.ThrowsAsync<IOException>(() => connected.WaitAsync(Timeout));
        Assert.Contains(path, error.Message);
        await Assert.ThrowsAsync<IOException>(() => received.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Connecting_to_a_path_nobody_listens_on_faults_the_connection_task()
    {
        var path = Sockets.File("gone.sock");
        var binding = await UnixSocket.Bind(path).To(Sink.Ignore<UnixSocketIncomingConnection>()).Run(Materializer);
        await binding.UnbindAsync().WaitAsync(Timeout);

        var connected = Source.Maybe<ByteString>()
            .ViaMaterialized(UnixSocket.OutgoingConnection(path), Keep.Right)
            .To(Sink.Ignore<ByteString>())
            .Run(Materializer);

        await Assert.ThrowsAsync<IOException>(() => connected.WaitAsync(Timeout));
    }

    private async Task BindEcho(string path) =>
        await UnixSocket.Bind(path)
            .To(Sink.ForEach<UnixSocketIncomingConnection>(connection =>
                connection.HandleWith(Flow.Create<ByteString>(), Materializer)))
            .Run(Materializer)
            .WaitAsync(Timeout);

    private static Sink<ByteString, Task<ByteString>> Collect() =>
        Sink.Aggregate<ByteString, ByteString>(ByteString.Empty, (all, chunk) => all + chunk);
}
