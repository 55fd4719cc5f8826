using Bro.Codecs;
using Bro.Protocol;
using Bro.Routing;

namespace Bro.Actors.Tests.Support;

/// <summary>
/// An in-memory <see cref="CallEndpoint"/>: every frame written to it is kept, raw and decoded
/// with the endpoint's codec, and its flushes and resumed reads are counted. Thread-safe: the
/// registry writes from its actor's thread while the test reads.
/// </summary>
internal sealed class TestEndpoint : CallEndpoint
{
    private readonly object _gate = new();
    private readonly List<byte[]> _frames = [];
    // Null where the frame does not decode (e.g. a CALL without a context, forwarded as it is).
    private readonly List<BroMessage?> _messages = [];
    private int _flushes;
    private int _resumes;

    /// <summary>An endpoint speaking <paramref name="encoding"/>, not registered.</summary>
    public TestEndpoint(BroEncoding encoding = BroEncoding.Json) => SetEncoding(encoding);

    /// <summary>An endpoint registered as <paramref name="name"/>, its REGISTER_ACK already forgotten.</summary>
    public static TestEndpoint Registered(string name, BroEncoding encoding = BroEncoding.Json)
    {
        var endpoint = new TestEndpoint(encoding);
        endpoint.AcceptRegistration(name, new RegisterAckMessage());
        endpoint.Clear();
        return endpoint;
    }

    /// <summary>Runs before each frame is recorded (on the writing thread), e.g. to see what else held then.</summary>
    public Action<TestEndpoint>? OnWrite { get; set; }

    /// <summary>Runs before <see cref="ResumeReading"/> is counted (on the calling thread).</summary>
    public Action<TestEndpoint>? OnResume { get; set; }

    /// <summary>When true, writes are refused (returns false), as by a closing connection.</summary>
    public bool RefuseWrites { get; set; }

    /// <summary>Changes the encoding, as a connection's first frame would.</summary>
    public void UseEncoding(BroEncoding encoding) => SetEncoding(encoding);

    /// <summary>Every whole frame written so far, length prefix included.</summary>
    public IReadOnlyList<byte[]> Frames
    {
        get
        {
            lock (_gate) return [.. _frames];
        }
    }

    /// <summary>Every frame written so far, decoded with the endpoint's codec; fails if one does not decode.</summary>
    public IReadOnlyList<BroMessage> Messages
    {
        get
        {
            lock (_gate) return Decoded(_messages);
        }
    }

    /// <summary><see cref="Flush"/> calls so far.</summary>
    public int FlushCount => Volatile.Read(ref _flushes);

    /// <summary><see cref="ResumeReading"/> calls so far.</summary>
    public int ResumeCount => Volatile.Read(ref _resumes);

    /// <summary>Forgets the frames written so far (counters stay).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _frames.Clear();
            _messages.Clear();
        }
    }

    /// <summary>Takes the frames written so far, decoded, and forgets them; fails if one does not decode.</summary>
    public IReadOnlyList<BroMessage> Take()
    {
        lock (_gate)
        {
            var taken = Decoded(_messages);
            _frames.Clear();
            _messages.Clear();
            return taken;
        }
    }

    /// <summary>Takes the raw frames written so far (length prefix included) and forgets them.</summary>
    public IReadOnlyList<byte[]> TakeFrames()
    {
        lock (_gate)
        {
            List<byte[]> taken = [.. _frames];
            _frames.Clear();
            _messages.Clear();
            return taken;
        }
    }

    /// <summary>The only frame written since the last <see cref="Take"/>, as a <typeparamref name="T"/>; fails otherwise.</summary>
    public T TakeSingle<T>() where T : BroMessage
    {
        var taken = Take();
        if (taken.Count != 1)
            throw new Xunit.Sdk.XunitException(
                $"Expected one {typeof(T).Name} written to endpoint {Id} ({ServiceName}), got {taken.Count}: {string.Join(", ", taken)}");
        return taken[0] as T ?? throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name}, got {taken[0]}");
    }

    /// <inheritdoc />
    public override bool Write(ReadOnlySpan<byte> frame)
    {
        if (RefuseWrites)
            return false;
        Record(frame.ToArray());
        return true;
    }

    /// <inheritdoc />
    public override bool WritePayload(ReadOnlySpan<byte> payload) =>
        Write(Bro.Protocol.Frames.Frame(payload));

    /// <inheritdoc />
    public override void Flush() => Interlocked.Increment(ref _flushes);

    /// <inheritdoc />
    public override void ResumeReading()
    {
        OnResume?.Invoke(this);
        Interlocked.Increment(ref _resumes);
    }

    private List<BroMessage> Decoded(List<BroMessage?> messages)
    {
        var decoded = new List<BroMessage>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
            decoded.Add(messages[i] ?? throw new Xunit.Sdk.XunitException(
                $"Frame {i} written to endpoint {Id} ({ServiceName}) does not decode as {Encoding}"));
        return decoded;
    }

    private void Record(byte[] frame)
    {
        OnWrite?.Invoke(this);
        // Decoded with this endpoint's codec: a frame in another encoding shows up as undecodable.
        BroMessage? message;
        try
        {
            message = Codec.Decode(frame.AsMemory(Bro.Protocol.Frames.PrefixLength));
        }
        catch (BroException)
        {
            message = null;
        }

        lock (_gate)
        {
            _frames.Add(frame);
            _messages.Add(message);
        }
    }
}
