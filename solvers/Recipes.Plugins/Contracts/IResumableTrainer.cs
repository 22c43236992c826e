namespace Recipes.Plugins;

/// <summary>
/// A trainer whose run of N steps (or epochs) is a prefix of every longer run with the same other settings: the seed,
/// data order, learning-rate schedule and everything it writes depend on the step, never on the total. The engine then
/// keys its seed without the length, keeps its checkpoints (<see cref="ITrainingCheckpoints"/>) across builds, and a
/// longer run starts from the longest one saved: the result is byte-identical to training from step 0.
/// </summary>
public interface IResumableTrainer
{
    /// <summary>The setting that is the run's length (<c>steps</c>, <c>epochs</c>).</summary>
    string LengthSetting { get; }

    /// <summary>Why these settings cannot resume from a shorter run (a schedule spread over the whole length), or null.</summary>
    string? WhyNotResumable(ValueMap settings);
}
