using Recipes.Training;

namespace Recipes.Training.Tests.Support;

/// <summary>
/// libtorch's random generator is one per process and xUnit runs test classes in parallel: a test that seeds it must
/// hold the lock the trainers hold, or it would shift a concurrent training's random stream (and its determinism).
/// </summary>
public sealed class TorchLock : IDisposable
{
    private TorchLock() => TorchStagePlugin.ProcessLock.Wait();

    public static TorchLock Hold() => new();

    public void Dispose() => TorchStagePlugin.ProcessLock.Release();
}
