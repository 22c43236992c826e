using System.Collections.Concurrent;

namespace Recipes.Training;

/// <summary>
/// Runs one libtorch node on one dedicated OS thread, continuations included. libtorch's intra-op thread count is an
/// OpenMP setting of the calling OS thread (and of threads that first touch libtorch afterwards), while .NET resumes an
/// <c>await</c> on whatever pool thread is free: a trainer that awaited its next shard went on with the thread count
/// that pool thread happened to carry from an earlier node or test, so two-thread runs were not repeatable. Here the
/// node's code, before and after every await, runs on the thread whose count was just set.
/// </summary>
public static class TorchThread
{
    public static Task RunAsync(Func<Task> body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            using var context = new PumpContext();
            SynchronizationContext.SetSynchronizationContext(context);
            Task task;
            try
            {
                task = body();
            }
            catch (Exception e)
            {
                done.SetException(e);
                return;
            }
            task.ContinueWith(_ => context.Complete(), TaskScheduler.Default);
            context.Run();
            if (task.IsCanceled) done.SetCanceled();
            else if (task.Exception is { } error) done.SetException(error.InnerExceptions);
            else done.SetResult();
        })
        {
            IsBackground = true,
            Name = "libtorch node",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Queues every continuation posted to it and runs them, in order, on the thread that calls <see cref="Run"/>.</summary>
    private sealed class PumpContext : SynchronizationContext, IDisposable
    {
        private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];

        public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("a libtorch node's thread does not take synchronous calls");

        public void Complete() => _queue.CompleteAdding();

        public void Run()
        {
            foreach (var (callback, state) in _queue.GetConsumingEnumerable()) callback(state);
        }

        public void Dispose() => _queue.Dispose();
    }
}
