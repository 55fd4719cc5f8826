using Akka;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Bro.Client.Internal;

/// <summary>
/// The end of a connection's inbound stream: hands every frame to a dispatch function and pulls
/// the next one at once, unless the function returned an unfinished task; then nothing is pulled
/// (so the socket is not read) until that task completes. Materializes a task completing when
/// the stream ends, failed with the stream's failure.
/// </summary>
/// <remarks>
/// <c>Sink.ForEach</c> cannot wait, and <c>SelectAsync</c> would hold back the end of the stream
/// until the waited-for task completes: a connection lost while its reading is paused (every
/// handler busy) would go unnoticed for as long as the handlers run. Here the end of the stream
/// completes the stage at once, whatever it is waiting for.
/// </remarks>
internal sealed class FrameDispatchSink : GraphStageWithMaterializedValue<SinkShape<ByteString>, Task<Done>>
{
    private readonly Func<ByteString, Task> _dispatch;

    /// <summary>Creates the sink; <paramref name="dispatch"/> runs on the stream, once per frame.</summary>
    public FrameDispatchSink(Func<ByteString, Task> dispatch)
    {
        _dispatch = dispatch;
        Shape = new SinkShape<ByteString>(In);
    }

    public Inlet<ByteString> In { get; } = new("FrameDispatchSink.in");

    public override SinkShape<ByteString> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("FrameDispatchSink");

    public override ILogicAndMaterializedValue<Task<Done>> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var done = new TaskCompletionSource<Done>(TaskCreationOptions.RunContinuationsAsynchronously);
        return new LogicAndMaterializedValue<Task<Done>>(new Logic(this, done), done.Task);
    }

    private sealed class Logic : InGraphStageLogic
    {
        private readonly FrameDispatchSink _stage;
        private readonly TaskCompletionSource<Done> _done;
        private readonly Action _resume;

        public Logic(FrameDispatchSink stage, TaskCompletionSource<Done> done)
            : base(stage.Shape)
        {
            _stage = stage;
            _done = done;

            // The wait ends off the stream; reading resumes on the stage's own turn, if it still runs.
            _resume = GetAsyncCallback(() =>
            {
                if (!IsClosed(stage.In) && !HasBeenPulled(stage.In))
                    Pull(stage.In);
            });
            SetHandler(stage.In, this);
        }

        public override void PreStart() => Pull(_stage.In);

        public override void OnPush()
        {
            Task ready;
            try
            {
                ready = _stage._dispatch(Grab(_stage.In));
            }
            catch (Exception ex)
            {
                _done.TrySetException(ex);
                FailStage(ex);
                return;
            }

            if (ready.IsCompleted)
                Pull(_stage.In);
            else
                ready.ContinueWith(static (_, resume) => ((Action)resume!)(), _resume, CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        public override void OnUpstreamFailure(Exception e)
        {
            _done.TrySetException(e);
            FailStage(e);
        }

        // Completion (the default OnUpstreamFinish), cancellation or a materializer shutting down.
        public override void PostStop() => _done.TrySetResult(Done.Instance);
    }
}
