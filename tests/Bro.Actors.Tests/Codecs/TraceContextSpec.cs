using System.Text;
using Bro.Actors.Tests.Vectors;
using Bro.Codecs;
using Bro.Protocol;
using Xunit;

namespace Bro.Actors.Tests.Codecs;

/// <summary>The W3C trace context carried as extra fields of a CALL's context.</summary>
public sealed class TraceContextSpec
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private const string TraceState = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";

    private static readonly string TracedCall =
        $$$"""{"type":"CALL","id":"1","from":"order","to":"user","method":"get","params":{"id":7},"context":{"root":"r","chain":["order","user"],"depth":2,"deadline":1795618670882,"traceparent":"{{{TraceParent}}}","tracestate":"{{{TraceState}}}"}}""";

    [Fact]
    public void The_trace_fields_of_a_JSON_CALL_cross_to_MessagePack_and_back_byte_for_byte()
    {
        var payload = MessageCodecs.MessagePack.Encode(MessageCodecs.Json.Decode(Encoding.UTF8.GetBytes(TracedCall)));

        var call = (CallMessage)MessageCodecs.MessagePack.Decode(payload);

        Assert.Equal(TraceParent, call.Context.TraceParent);
        Assert.Equal(TraceState, call.Context.TraceState);
        Assert.Equal(TracedCall, Encoding.UTF8.GetString(MessageCodecs.Json.Encode(call)));
    }

    [Fact]
    public void A_CALL_given_a_default_deadline_on_the_gateway_keeps_its_trace_fields()
    {
        var json = TracedCall.Replace(""","deadline":1795618670882""", "", StringComparison.Ordinal);

        var call = (CallMessage)MessageCodecs.Decode(MessageCodecs.Json, Encoding.UTF8.GetBytes(json), defaultDeadline: 42);

        Assert.Equal(42, call.Context.Deadline);
        Assert.Equal(TraceParent, call.Context.TraceParent);
        Assert.Equal(TraceState, call.Context.TraceState);
    }

    [Fact]
    public void A_context_without_trace_fields_is_written_without_them()
    {
        var call = new CallMessage("1", "a", "b", "m", null, new CallContext("r", ["a", "b"], 2, 1795618670882));

        Assert.DoesNotContain("trace", Encoding.UTF8.GetString(MessageCodecs.Json.Encode(call)), StringComparison.Ordinal);
        var back = (CallMessage)MessageCodecs.MessagePack.Decode(MessageCodecs.MessagePack.Encode(call));
        SameContext(call.Context, back.Context);
        Assert.Null(back.Context.TraceParent);
    }

    /// <summary>
    /// Every CALL <c>ipc-bro</c> recorded, given a <c>traceparent</c>, routes as it did and decodes
    /// to the same message: the field is one more unknown key to a reader that ignores them.
    /// </summary>
    [Fact]
    public void Recorded_ipc_bro_CALLs_with_a_traceparent_added_read_as_before_in_both_encodings()
    {
        var calls = RecordedSession.All.Where(f => f.Decoded["type"]!.GetValue<string>() == "CALL").ToList();
        Assert.NotEmpty(calls);
        foreach (var frame in calls)
        {
            var codec = MessageCodecs.For(frame.Encoding);
            var original = (CallMessage)codec.Decode(frame.Payload);
            var traced = frame.Encoding == BroEncoding.Json
                ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(frame.Payload.Span)
                    .Replace("\"context\":{", $"\"context\":{{\"traceparent\":\"{TraceParent}\",", StringComparison.Ordinal))
                : codec.Encode(original with { Context = original.Context with { TraceParent = TraceParent } });

            var read = (CallMessage)codec.Decode(traced);

            var (before, after) = (codec.ReadHeader(frame.Payload.Span), codec.ReadHeader(traced));
            Assert.Equal(before.Chain, after.Chain);
            Assert.Equal(before with { Chain = null }, after with { Chain = null });
            Assert.Equal(TraceParent, read.Context.TraceParent);
            SameContext(original.Context with { TraceParent = TraceParent }, read.Context);
            Assert.Equal(original.Params?.ToJsonString(), read.Params?.ToJsonString());
        }
    }

    // Records compare the chain by reference: compare it by content.
    private static void SameContext(CallContext expected, CallContext actual)
    {
        Assert.Equal(expected.Root, actual.Root);
        Assert.Equal(expected.Chain, actual.Chain);
        Assert.Equal(expected.Depth, actual.Depth);
        Assert.Equal(expected.Deadline, actual.Deadline);
        Assert.Equal(expected.TraceParent, actual.TraceParent);
        Assert.Equal(expected.TraceState, actual.TraceState);
    }
}
