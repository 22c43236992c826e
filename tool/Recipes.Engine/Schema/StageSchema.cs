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

    /// <summary>
    /// As strict as <see cref="Validate"/>: the union of every implementation's settings is listed for completion,
    /// and one <c>if</c>/<c>then</c> branch per way of naming the implementation (the selector, or a key that is an
    /// implementation's name) allows that implementation's settings and the common ones only
    /// (<c>additionalProperties: false</c> inside the branch, which draft-07 editors honour too), so
    /// <c>simulate: { solver: heat2d, raduis: 0.1 }</c> is flagged in the editor as <c>validate</c> flags it. What a
    /// stage that names no implementation means depends on whether the file includes others, which only the root
    /// sees: <see cref="UnnamedJsonSchema"/>.
    /// </summary>
    public override JsonObject ToJsonSchema()
    {
        var plugins = _registry.ForStage(Stage);
        var properties = new JsonObject
        {
            [Selector] = new JsonObject
            {
                ["type"] = "string",
                ["enum"] = new JsonArray(plugins.Select(p => (JsonNode?)JsonValue.Create(p.Name)).ToArray()),
                ["description"] = string.Join("; ", plugins.Select(p => $"{p.Name}: {p.Summary}")),
            },
        };
        foreach (var option in Shared) properties[option.Name] = OptionSchemas.JsonFor(option);
        // A name several implementations use with different meanings (heat2d's scheme: multigrid|sor, sph's scheme:
        // wcsph|dfsph) is any of them here; the implementation's branch below holds it to its own.
        foreach (var group in plugins.SelectMany(p => p.Options).Where(o => !properties.ContainsKey(o.Name)).GroupBy(o => o.Name))
        {
            var distinct = group.Select(OptionSchemas.JsonFor).DistinctBy(j => j.ToJsonString()).ToList();
            properties[group.Key] = distinct.Count == 1 ? distinct[0] : new JsonObject { ["anyOf"] = new JsonArray([.. distinct]) };
        }

        var branches = new JsonArray();
        foreach (var plugin in plugins)
            branches.Add(Branch(new JsonObject { ["properties"] = new JsonObject { [Selector] = new JsonObject { ["const"] = plugin.Name } }, ["required"] = new JsonArray(Selector) }, Only(plugin)));
        if (plugins.Count == 1)
            // One implementation: it is the one, with or without the selector.
            branches.Add(Branch(new JsonObject { ["not"] = Requires(Selector) }, Only(plugins[0])));
        else
            // Without the selector, a key named after an implementation chooses it (augment: { dihedral: 8 }).
            foreach (var plugin in plugins)
                branches.Add(Branch(new JsonObject { ["not"] = Requires(Selector), ["required"] = new JsonArray(plugin.Name) }, Only(plugin)));
        return WithDescription(new JsonObject { ["type"] = "object", ["properties"] = properties, ["allOf"] = branches });
    }

    /// <summary>
    /// The stage's rules that depend on includes. In a file that includes others, a stage that names no
    /// implementation may be refining the included one, so it may use any implementation's settings (a typo is still
    /// caught), and required settings may come from the include. In a file that includes nothing, such a stage is the
    /// stage's default implementation, or the selector is required; and each implementation's required settings are.
    /// Null when nothing applies.
    /// </summary>
    public JsonObject? UnnamedJsonSchema(bool fileHasIncludes)
    {
        var plugins = _registry.ForStage(Stage);
        var branches = new JsonArray();
        if (plugins.Count > 1)
        {
            var unnamed = new JsonObject
            {
                ["not"] = new JsonObject { ["anyOf"] = new JsonArray(plugins.Select(p => (JsonNode?)Requires(p.Name)).Prepend(Requires(Selector)).ToArray()) },
            };
            var fallback = _registry.DefaultFor(Stage);
            if (fileHasIncludes)
            {
                var any = new JsonObject { [Selector] = true };
                foreach (var option in Shared.Concat(plugins.SelectMany(p => p.Options))) any[option.Name] = true;
                branches.Add(Branch(unnamed, new JsonObject { ["properties"] = any, ["additionalProperties"] = false }));
            }
            else
            {
                branches.Add(Branch(unnamed, fallback is null ? Requires(Selector) : Only(fallback, required: true)));
            }
        }
        if (!fileHasIncludes)
            foreach (var plugin in plugins.Where(p => p.Options.Any(o => o.Required)))
                branches.Add(Branch(plugins.Count == 1
                    ? new JsonObject()
                    : new JsonObject { ["properties"] = new JsonObject { [Selector] = new JsonObject { ["const"] = plugin.Name } }, ["required"] = new JsonArray(Selector) },
                    RequiredOf(plugin)));
        return branches.Count == 0 ? null : new JsonObject { ["allOf"] = branches };
    }

    private string Selector => StageNames.SelectorKey(Stage);

    private IEnumerable<OptionSpec> Shared => StageSettings.Common.Concat(StageSettings.EngineOptions(Stage)).Where(o => o.Name != Selector);

    /// <summary>The settings of one implementation and the shared ones, nothing else.</summary>
    private JsonObject Only(IStagePlugin plugin, bool required = false)
    {
        var allowed = new JsonObject { [Selector] = true };
        foreach (var option in Shared) allowed[option.Name] = true;
        foreach (var option in plugin.Options.Where(o => o.Name != Selector)) allowed[option.Name] = OptionSchemas.JsonFor(option);
        var only = new JsonObject { ["properties"] = allowed, ["additionalProperties"] = false };
        if (required && plugin.Options.Any(o => o.Required)) only["required"] = RequiredOf(plugin)["required"]!.DeepClone();
        return only;
    }

    private static JsonObject RequiredOf(IStagePlugin plugin) =>
        new() { ["required"] = new JsonArray(plugin.Options.Where(o => o.Required).Select(o => (JsonNode?)JsonValue.Create(o.Name)).ToArray()) };

    private static JsonObject Requires(string key) => new() { ["required"] = new JsonArray(key) };

    private static JsonObject Branch(JsonObject condition, JsonObject then) => new() { ["if"] = condition, ["then"] = then };
}
