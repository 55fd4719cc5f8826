using System.Net.Sockets;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Bro.Transport;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Actors.Tests.Transport;

public sealed class UnixSocketBindSpec(ITestOutputHelper output) : SocketSpec(output)
{
    [Fact]
    public async Task Bind_creates_the_socket_file_and_unbind_deletes_it()
    {
        var path = Sockets.File("a.sock");

        var binding = await BindIgnoring(path);
        Assert.Equal(path, binding.Path);
        Assert.True(File.Exists(path));

        await binding.UnbindAsync().WaitAsync(Timeout);
        Assert.False(File.Exists(path));
        await binding.UnbindAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Cancelling_the_connection_source_deletes_the_socket_file()
    {
        var path = Sockets.File("b.sock");
        var (bound, first) = UnixSocket.Bind(path).ToMaterialized(Sink.First<UnixSocketIncomingConnection>(), Keep.Both)
            .Run(Materializer);
        await bound.WaitAsync(Timeout);

        // Sink.First cancels the source after the first connection.
        var connected = Source.Maybe<ByteString>()
            .ViaMaterialized(UnixSocket.OutgoingConnection(path), Keep.Right)
            .To(Sink.Ignore<ByteString>())
            .Run(Materializer);
        await connected.WaitAsync(Timeout);
        await first.WaitAsync(Timeout);

        await AwaitConditionAsync(() => Task.FromResult(!File.Exists(path)), Timeout);
    }

    [Fact]
    public async Task Binding_a_path_held_by_a_live_listener_fails_and_leaves_its_file_alone()
    {
        var path = Sockets.File("c.sock");
        var first = await BindIgnoring(path);

        var error = await Assert.ThrowsAsync<UnixSocketBindException>(() => BindIgnoring(path));

        Assert.Equal($"Socket path '{path}' is in use by a live listener", error.Message);
        Assert.True(File.Exists(path));
        var connected = Source.Empty<ByteString>()
            .ViaMaterialized(UnixSocket.OutgoingConnection(path), Keep.Right)
            .To(Sink.Ignore<ByteString>())
            .Run(Materializer);
        await connected.WaitAsync(Timeout);
        await first.UnbindAsync();
    }

    [Fact]
    public async Task Binding_over_a_stale_socket_file_replaces_it()
    {
        var path = Sockets.File("d.sock");
        // A listener that goes away without unlinking its file, like a process that crashed.
        // .NET unlinks the file it bound when the socket is disposed, so the file is moved away
        // from under it first.
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(path + ".old"));
            dead.Listen();
            File.Move(path + ".old", path);
        }
        Assert.True(File.Exists(path));

        var binding = await UnixSocket.Bind(path)
            .To(Sink.ForEach<UnixSocketIncomingConnection>(c => c.HandleWith(Flow.Create<ByteString>(), Materializer)))
            .Run(Materializer)
            .WaitAsync(Timeout);

        var echoed = await Source.Single(ByteString.FromString("ping"))
            .Via(UnixSocket.OutgoingConnection(path))
            .RunWith(Sink.Aggregate<ByteString, ByteString>(ByteString.Empty, (a, b) => a + b), Materializer)
            .WaitAsync(Timeout);
        Assert.Equal("ping", echoed.ToString());
        await binding.UnbindAsync();
    }

    [Fact]
    public async Task Binding_a_path_over_the_length_limit_fails_before_touching_the_file_system()
    {
        // The directory does not exist either: the length is what must be reported.
        var path = Path.Combine(Sockets.Root, "missing", new string('s', 120) + ".sock");
        var length = System.Text.Encoding.UTF8.GetByteCount(path);

        var error = await Assert.ThrowsAsync<UnixSocketBindException>(() => BindIgnoring(path));

        Assert.Equal($"Socket path '{path}' is {length} bytes long in UTF-8, over the limit of 107 bytes", error.Message);
        Assert.Equal(path, error.Path);
    }

    [Fact]
    public async Task Binding_in_a_missing_directory_fails_naming_the_directory()
    {
        var directory = Path.Combine(Sockets.Root, "missing");

        var error = await Assert.ThrowsAsync<UnixSocketBindException>(() => BindIgnoring(Path.Combine(directory, "e.sock")));

        Assert.Contains($"The directory '{directory}'", error.Message);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task Connections_are_accepted_only_when_downstream_asks_for_them()
    {
        var path = Sockets.File("f.sock");
        var accepted = this.CreateManualSubscriberProbe<UnixSocketIncomingConnection>();
        var binding = await UnixSocket.Bind(path).To(Sink.FromSubscriber(accepted)).Run(Materializer).WaitAsync(Timeout);
        var subscription = await accepted.ExpectSubscriptionAsync();

        // Connects complete from the listen backlog, accepted or not.
        var clients = Enumerable.Range(0, 3)
            .Select(_ => Source.Maybe<ByteString>()
                .ViaMaterialized(UnixSocket.OutgoingConnection(path), Keep.Right)
                .To(Sink.Ignore<ByteString>())
                .Run(Materializer))
            .ToList();
        await Task.WhenAll(clients).WaitAsync(Timeout);

        subscription.Request(1);
        Assert.Equal(path, accepted.ExpectNext(Timeout).Path);
        accepted.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        subscription.Request(2);
        accepted.ExpectNext(Timeout);
        accepted.ExpectNext(Timeout);
        await binding.UnbindAsync().WaitAsync(Timeout);
        accepted.ExpectComplete();
    }

    private Task<UnixSocketServerBinding> BindIgnoring(string path) =>
        UnixSocket.Bind(path).To(Sink.Ignore<UnixSocketIncomingConnection>()).Run(Materializer).WaitAsync(Timeout);
}
