namespace Recipes.Plugins;

/// <summary>
/// A typed setting declared once: its <see cref="Spec"/> (name, type, default, range, documentation) is what the schema,
/// validation and the action key see, and <see cref="Read"/> is how the plug-in gets the value, default included, so the
/// default cannot drift between the two. A plug-in lists its settings in <see cref="IStagePlugin.Options"/> (a setting
/// converts to its spec) and reads them through the same fields.
/// </summary>
public sealed class Setting<T>
{
    private readonly Func<ValueMap, string, T, T> _read;

    internal Setting(OptionSpec spec, T @default, Func<ValueMap, string, T, T> read)
    {
        Spec = spec;
        Default = @default;
        _read = read;
    }

    public OptionSpec Spec { get; }
    public string Name => Spec.Name;
    public T Default { get; }

    /// <summary>The value in a node's settings, or the default when the recipe leaves it out.</summary>
    public T Read(ValueMap settings) => _read(settings, Spec.Name, Default);

    public static implicit operator OptionSpec(Setting<T> setting) => setting.Spec;

    public OptionSpec ToOptionSpec() => Spec;
}
