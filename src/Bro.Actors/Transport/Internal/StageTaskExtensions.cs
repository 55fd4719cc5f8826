namespace Bro.Transport.Internal;

/// <summary>Hands socket operations that complete off the stage back to a stage.</summary>
internal static class StageTaskExtensions
{
    /// <summary>
    /// Calls <paramref name="asyncCallback"/> (an action obtained from
    /// <c>GetAsyncCallback</c>, so the stage handles the result on its own turn) once
    /// <paramref name="task"/> completes. A fault is observed first: when the stage already
    /// stopped, Akka drops the callback, and the exception must not surface later as an
    /// unobserved task exception.
    /// </summary>
    public static void ContinueOnStage<T>(this T task, Action<T> asyncCallback) where T : Task =>
        task.ContinueWith(static (completed, state) =>
            {
                _ = completed.Exception;
                ((Action<T>)state!)((T)completed);
            },
            asyncCallback,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>The exception a faulted socket task failed with, without the aggregate wrapper.</summary>
    public static Exception Failure(this Task task) =>
        task.Exception is { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : task.Exception!;
}
