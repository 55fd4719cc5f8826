using System.Text.Json;
using Bro.Protocol;
using Xunit;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Protocol;

public sealed class MessagesSpec
{
    private const long Now = 1699005123456;
    private static readonly CallContext Context = new("root-1", ["cart", "order"], 2, Now + 30_000);
    private readonly ManualTimeProvider _time = new(Now);

    private CallMessage Call() => Messages.BuildCall(
        "cart", "order", "getOrderDetails", RawValue.FromObject(new { orderId = "ORD-1" }, BroEncoding.Json), Context, _time);

    [Fact]
    public void BuildCall_gives_a_new_request_id_and_keeps_every_field()
    {
        var call = Call();

        Assert.StartsWith($"req-{Now}-", call.Id);
        Assert.Equal(("cart", "order", "getOrderDetails"), (call.From, call.To, call.Method));
        Assert.Equal("""{"orderId":"ORD-1"}""", call.Params!.ToJsonString());
        Assert.Same(Context, call.Context);
        Assert.NotEqual(call.Id, Call().Id);
    }

    [Fact]
    public void BuildSuccessResponse_answers_the_caller_with_the_calls_id_and_context()
    {
        var call = Call();
        var data = RawValue.FromObject(42, BroEncoding.Json);

        var response = Messages.BuildSuccessResponse(call, data: data);

        Assert.Equal(new ResponseMessage(call.Id, "order", "cart", ResponseStatus.Success, data, null, Context), response);
        Assert.Equal("order-2", Messages.BuildSuccessResponse(call, "order-2").From);
    }

    [Fact]
    public void BuildErrorResponse_answers_from_the_target_to_the_caller()
    {
        var call = Call();
        var error = new ErrorInfo("boom", "USER_NOT_FOUND");

        var response = Messages.BuildErrorResponse(call, error);

        Assert.Equal(new ResponseMessage(call.Id, "order", "cart", ResponseStatus.Error, null, error, Context), response);
    }

    [Fact]
    public void BuildErrorResponse_from_header_fields_needs_no_context()
    {
        var error = new ErrorInfo("Service 'ghost' not found", ErrorCodes.ServiceNotFound);

        var response = Messages.BuildErrorResponse("req-1", "ghost", "cart", null, error);

        Assert.Equal(new ResponseMessage("req-1", "ghost", "cart", ResponseStatus.Error, null, error, null), response);
    }

    [Fact]
    public void Validate_accepts_complete_messages()
    {
        Messages.Validate(Call());
        Messages.Validate(new RegisterMessage("user", []));
        Messages.Validate(new HeartbeatMessage("user", Now));
        Messages.Validate(new RegisterAckMessage());
        Messages.Validate(new ErrorMessage(null, new ErrorInfo("m"), null));
        Messages.Validate(Messages.BuildSuccessResponse(Call()));
    }

    public static TheoryData<BroMessage, string> EmptyFields => new()
    {
        { new RegisterMessage("", []), "serviceName" },
        { new CallMessage("", "a", "b", "m", null, Context), "id" },
        { new CallMessage("1", "", "b", "m", null, Context), "from" },
        { new CallMessage("1", "a", "", "m", null, Context), "to" },
        { new CallMessage("1", "a", "b", "", null, Context), "method" },
        { new CallMessage("1", "a", "b", "m", null, Context with { Root = "" }), "context.root" },
        { new ResponseMessage("1", "", "b", ResponseStatus.Success, null, null, null), "from" },
        { new HeartbeatMessage("", Now), "from" },
        { new ErrorMessage("1", new ErrorInfo(""), null), "error.message" },
    };

    [Theory]
    [MemberData(nameof(EmptyFields))]
    public void Validate_rejects_an_empty_required_field_with_INVALID_MESSAGE(BroMessage message, string field)
    {
        var error = Assert.Throws<BroException>(() => Messages.Validate(message));

        Assert.Equal(ErrorCodes.InvalidMessage, error.Code);
        Assert.Contains($"'{field}'", error.Message);
    }

    [Fact]
    public void FormatForLog_writes_a_call_on_one_line_with_its_params_and_context()
    {
        var call = Call();

        Assert.Equal(
            $"CALL {call.Id} from cart to order.getOrderDetails params={{\"orderId\":\"ORD-1\"}} [root-1] cart → order (depth: 2)",
            Messages.FormatForLog(call));
    }

    [Fact]
    public void FormatForLog_truncates_long_values_with_an_ellipsis()
    {
        var data = RawValue.FromObject(new string('x', 500), BroEncoding.MessagePack);
        var response = Messages.BuildSuccessResponse(Call(), data: data);

        var line = Messages.FormatForLog(response, maxValueLength: 10);

        Assert.EndsWith(" data=\"xxxxxxxxx…", line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void FormatForLog_shows_errors_and_never_fails_on_a_value_without_JSON_form()
    {
        var extension = new RawValue(BroEncoding.MessagePack, MessagePack.MessagePackSerializer.Serialize(DateTime.UnixEpoch));
        var response = new ResponseMessage("1", "a", "b", ResponseStatus.Error, extension, new ErrorInfo("boom", "E"), null);

        Assert.Equal("RESPONSE 1 from a to b error data=<6 bytes MessagePack> E: boom", Messages.FormatForLog(response));
    }

    [Fact]
    public void FormatForLog_covers_every_message_type()
    {
        Assert.Equal("REGISTER user methods=[a, b] version=1.0.0", Messages.FormatForLog(new RegisterMessage("user", ["a", "b"], "1.0.0")));
        Assert.Equal("REGISTER_ACK", Messages.FormatForLog(new RegisterAckMessage()));
        Assert.Equal($"HEARTBEAT from user at {Now}", Messages.FormatForLog(new HeartbeatMessage("user", Now)));
        Assert.Equal("ERROR req-1 SERVICE_NOT_FOUND: gone",
            Messages.FormatForLog(new ErrorMessage("req-1", new ErrorInfo("gone", ErrorCodes.ServiceNotFound), Now)));
    }

    [Fact]
    public void A_built_call_survives_both_codecs()
    {
        var call = Call();

        foreach (var codec in new Bro.Codecs.IMessageCodec[] { Bro.Codecs.MessageCodecs.Json, Bro.Codecs.MessageCodecs.MessagePack })
        {
            var back = (CallMessage)codec.Decode(codec.Encode(call));
            Assert.Equal(call with { Params = null, Context = Context }, back with { Params = null, Context = Context });
            Assert.Equal(Context.Chain, back.Context.Chain);
            Assert.Equal("ORD-1", back.Params!.Deserialize<JsonElement>().GetProperty("orderId").GetString());
        }
    }
}
