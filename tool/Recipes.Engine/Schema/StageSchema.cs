using System.Text.Json.Nodes;
using Recipes.Diagnostics;
using Recipes.Documents;
using Recipes.Plugins;
using Recipes.Registry;

namespace Recipes.Schema;

/// <summary>
/// A stage's settings: the implementation is named by the stage's selector key (<c>solver:</c>, <c>model:</c> ...),
/// or inferred when a key is an implementation's name (<c>augment: { dihedral: 8 }</c>); the remaining keys are
/// checked against that implementation's options and the common ones.
/// </summary>
public sealed class StageSchema : SchemaNode
{
    private readonly PluginRegistry _registry;

    public StageSchema(string stage, PluginRegistry registry)
    {
        Stage = stage;
        _registry = registry;
    }

    public string Stage { get; }

    /// <summary>The implementation a stage mapping selects, or null with the reason added to <paramref name="diagnostics"/>.</summary>
    public IStagePlugin? Resolve(DocMapping map, string path, DiagnosticBag diagnostics)
    {
        var selector = StageNames.SelectorKey(Stage);
        var candidates = _registry.ForStage(Stage);
        if (map[selector] is { } named)
        {
            if (named is not DocScalar scalar || scalar.IsNull)
            {
                diagnostics.Error(named.Location, $"{path}.{selector} should name a {Stage} implementation");
                return null;
            }
            var plugin = _registry.Find(Stage, scalar.Text);
            if (plugin is null)
                diagnostics.Error(named.Location, $"unknown {selector} '{scalar.Text}' for {path}{Suggestions.DidYouMean(scalar.Text, candidates.Select(c => c.Name))}");
            return plugin;
        }
        var inferred = candidates.Where(c => map[c.Name] is not null).ToList();
        if (inferred.Count == 1) return inferred[0];
        if (candidates.Count == 1) return candidates[0];
        var fallback = _registry.DefaultFor(Stage);
        if (fallback is not null) return fallback;
        diagnostics.Error(map.Location, $"{path} needs '{selector}:' naming one of: {string.Join(", ", candidates.Select(c => c.Name))}");
        return null;
    }

    public override void Validate(DocNode node, string path, DiagnosticBag diagnostics)
    {
        if (node is not DocMapping map)
        {
            diagnostics.Error(node.Location, $"{path} should be a mapping of settings, got {Describe(node)}");
            return;
        }
        var plugin = Resolve(map, path, diagnostics);
        if (plugin is null) return;
        ForPlugin(plugin).Validate(map, path, diagnostics);
    }

    private MappingSchema ForPlugin(IStagePlugin plugin)
    {
        var properties = new List<(string, SchemaNode)>
        {
            (StageNames.SelectorKey(Stage), new ScalarSchema(ScalarKind.String) { Enum = [plugin.Name] }),
        };
        properties.AddRange(StageSettings.Common.Concat(StageSettings.EngineOptions(Stage)).Concat(plugin.Options)
            .DistinctBy(o => o.Name)
            .Where(o => o.Name != StageNames.SelectorKey(Stage))
            .Select(o => (o.Name, OptionSchemas.For(o))));
        return new MappingSchema
        {
            Properties = properties,
            Required = plugin.Options.Where(o => o.Required).Select(o => o.Name).ToHashSet(),
        };
    }

    public override JsonObject ToJsonSchema()
    {
        var selector = StageNames.SelectorKey(Stage);
        var plugins = _registry.ForStage(Stage);
        var properties = new JsonObject
        {
            [selector] = new JsonObject
            {
                ["type"] = "string",
                ["enum"] = new JsonArray(plugins.Select(p => (JsonNode?)JsonValue.Create(p.Name)).ToArray()),
                ["description"] = string.Join("; ", plugins.Select(p => $"{p.Name}: {p.Summary}")),
            },
        };
        foreach (var option in StageSettings.Common.Concat(StageSettings.EngineOptions(Stage))) properties[option.Name] = OptionSchemas.JsonFor(option);
        var branches = new JsonArray();
        foreach (var plugin in plugins)
        {
            var own = new JsonObject();
            foreach (var option in plugin.Options)
            {
                if (!properties.ContainsKey(option.Name)) properties[option.Name] = OptionSchemas.JsonFor(option);
                own[option.Name] = OptionSchemas.JsonFor(option);
            }
            branches.Add(new JsonObject
            {
                ["if"] = new JsonObject { ["properties"] = new JsonObject { [selector] = new JsonObject { ["const"] = plugin.Name } }, ["required"] = new JsonArray(selector) },
                ["then"] = new JsonObject { ["properties"] = own },
            });
        }
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["allOf"] = branches,
        };
        return WithDescription(schema);
    }
}
