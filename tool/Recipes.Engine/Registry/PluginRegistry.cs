using Recipes.Plugins;

namespace Recipes.Registry;

/// <summary>Stage implementations by stage and name. Adding a solver or a model is one <see cref="Register"/> line.</summary>
public sealed class PluginRegistry
{
    private readonly Dictionary<(string Stage, string Name), IStagePlugin> _plugins = [];
    private readonly Dictionary<string, string> _defaults = new(StringComparer.Ordinal);

    public void Register(IStagePlugin plugin, bool isDefault = false)
    {
        if (!StageNames.IsStage(plugin.Stage))
            throw new ArgumentException($"plugin {plugin.Name} names unknown stage '{plugin.Stage}'", nameof(plugin));
        if (!_plugins.TryAdd((plugin.Stage, plugin.Name), plugin))
            throw new ArgumentException($"a {plugin.Stage} plugin named '{plugin.Name}' is already registered", nameof(plugin));
        if (isDefault) _defaults[plugin.Stage] = plugin.Name;
    }

    public IStagePlugin? Find(string stage, string name) => _plugins.GetValueOrDefault((stage, name));

    public IReadOnlyList<IStagePlugin> ForStage(string stage) =>
        _plugins.Values.Where(p => p.Stage == stage).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    public IStagePlugin? DefaultFor(string stage) =>
        _defaults.TryGetValue(stage, out var name) ? Find(stage, name) : null;

    public IEnumerable<IStagePlugin> All =>
        _plugins.Values.OrderBy(p => p.Stage, StageNames.PipelineOrder).ThenBy(p => p.Name, StringComparer.Ordinal);
}
