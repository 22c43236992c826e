using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recipes.Graph;

/// <summary>
/// Prints the DAG as mermaid, dot or JSON. By default each stage is one box ("simulate x10000, exec") so that a
/// 10,000-sample graph stays readable; <c>expand</c> lists every node.
/// </summary>
public static class GraphFormatter
{
    public static string Format(BuildGraph graph, string format, bool expand) => format switch
    {
        "dot" => Dot(graph, expand),
        "json" => Json(graph, expand),
        _ => Mermaid(graph, expand),
    };

    private sealed record Box(string Id, string Label);

    private static (List<Box> Boxes, List<(string From, string To)> Edges) Shape(BuildGraph graph, bool expand)
    {
        if (expand)
        {
            var boxes = graph.Nodes.Select(n => new Box(n.Id, $"{n.Id} ({n.Plugin.Name})")).ToList();
            var edges = graph.Nodes.SelectMany(n => n.Dependencies.Select(d => (d.Id, n.Id))).ToList();
            return (boxes, edges);
        }
        var stages = graph.Nodes.GroupBy(GroupOf).ToList();
        var collapsed = stages.Select(g =>
        {
            var first = g.First();
            var count = g.Count();
            var label = count == 1 ? $"{g.Key} ({first.Plugin.Name})" : $"{g.Key} x{count} ({first.Plugin.Name})";
            return new Box(g.Key, label);
        }).ToList();
        var stageEdges = graph.Nodes.SelectMany(n => n.Dependencies.Select(d => (GroupOf(d), GroupOf(n))))
            .Distinct().ToList();
        if (graph.Recipe.BaseCase is not null)
        {
            collapsed.Insert(0, new Box("base_case", $"base_case ({graph.Recipe.BaseCase.Files.Count} files)"));
            stageEdges.Insert(0, ("base_case", Plugins.StageNames.Render));
        }
        return (collapsed, stageEdges);
    }

    private static string Mermaid(BuildGraph graph, bool expand)
    {
        var (boxes, edges) = Shape(graph, expand);
        var text = new StringBuilder("flowchart LR\n");
        foreach (var box in boxes) text.Append("  ").Append(Safe(box.Id)).Append("[\"").Append(box.Label.Replace("\"", "'")).Append("\"]\n");
        foreach (var (from, to) in edges) text.Append("  ").Append(Safe(from)).Append(" --> ").Append(Safe(to)).Append('\n');
        return text.ToString();
    }

    private static string Dot(BuildGraph graph, bool expand)
    {
        var (boxes, edges) = Shape(graph, expand);
        var text = new StringBuilder($"digraph \"{graph.Recipe.Name}\" {{\n  rankdir=LR;\n  node [shape=box];\n");
        foreach (var box in boxes) text.Append($"  \"{box.Id}\" [label=\"{box.Label.Replace("\"", "'")}\"];\n");
        foreach (var (from, to) in edges) text.Append($"  \"{from}\" -> \"{to}\";\n");
        return text.Append("}\n").ToString();
    }

    private static string Json(BuildGraph graph, bool expand)
    {
        var stages = new JsonArray(graph.Nodes.GroupBy(GroupOf).Select(g =>
        {
            var entry = new JsonObject { ["stage"] = g.First().StageName };
            if (g.First().Target is { } target) entry["target"] = target.Name;
            entry["plugin"] = g.First().Plugin.Name;
            entry["nodes"] = g.Count();
            return (JsonNode?)entry;
        }).ToArray());
        var edges = graph.Nodes.SelectMany(n => n.Dependencies.Select(d => (GroupOf(d), GroupOf(n)))).Distinct()
            .Select(e => (JsonNode?)new JsonArray(e.Item1, e.Item2)).ToArray();
        var result = new JsonObject
        {
            ["recipe"] = graph.Recipe.Name,
            ["samples"] = graph.Samples.Count,
            ["nodes"] = graph.Nodes.Count,
            ["stages"] = stages,
            ["edges"] = new JsonArray(edges),
        };
        if (expand)
        {
            result["graph"] = new JsonArray(graph.Nodes.Select(n => (JsonNode?)new JsonObject
            {
                ["id"] = n.Id,
                ["stage"] = n.StageName,
                ["plugin"] = n.Plugin.Name,
                ["dependencies"] = new JsonArray(n.Dependencies.Select(d => (JsonNode?)JsonValue.Create(d.Id)).ToArray()),
            }).ToArray());
        }
        return result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The box a node is drawn in when collapsed: its stage, or <c>stage/target</c> for a named target's nodes (all points of a sweep in one).</summary>
    private static string GroupOf(GraphNode node) => node.Target is { } target ? $"{node.StageName}/{target.Name}" : node.StageName;

    private static string Safe(string id) => new(id.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
}
