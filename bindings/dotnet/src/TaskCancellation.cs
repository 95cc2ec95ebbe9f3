using System.Threading;
using System.Threading.Tasks;

namespace VibeData.Studio.AzureCredBroker
{
    /// <summary>Letting an awaiting caller go while uncancellable work finishes.</summary>
    internal static class TaskCancellation
    {
        /// <summary>
        /// A task that completes like <paramref name="work"/>, or is cancelled as
        /// soon as <paramref name="cancellationToken"/> is. The work itself runs
        /// on (a native call cannot be interrupted); its outcome is then observed
        /// and dropped, so an abandoned failure is never an unobserved exception.
        /// </summary>
        internal static Task<T> AbandonOnCancel<T>(Task<T> work, CancellationToken cancellationToken)
        {
            if (work.IsCompleted || !cancellationToken.CanBeCanceled)
            {
                return work;
            }
            var outcome = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            var registration = cancellationToken.Register(() => outcome.TrySetCanceled(cancellationToken));
            work.ContinueWith(
                done =>
                {
                    registration.Dispose();
                    if (done.IsFaulted)
                    {
                        outcome.TrySetException(done.Exception.InnerExceptions);
                    }
                    else if (done.IsCanceled)
                    {
                        outcome.TrySetCanceled(cancellationToken);
                    }
                    else
                    {
                        outcome.TrySetResult(done.Result);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return outcome.Task;
        }
    }
}
