using System.Globalization;
using System.Net;
using System.Text;
using Recipes.Execution;
using Recipes.Graph;
using Recipes.Plugins;

namespace Recipes.Report;

/// <summary>
/// The collapsed task graph as inline SVG (no script, no network): one box per stage in pipeline order with its
/// implementation, node count and how many are up to date, and an arrow for every stage-to-stage dependency.
/// </summary>
public static class StageGraphSvg
{
    private const int BoxWidth = 170;
    private const int BoxHeight = 64;
    private const int Gap = 46;
    private const int Top = 34;

    public static string Draw(BuildGraph graph, NodeStates states)
    {
        var stages = graph.Nodes.Select(n => n.StageName).Distinct().Order(StageNames.PipelineOrder).ToList();
        var column = stages.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i);
        var edges = graph.Nodes.SelectMany(n => n.Dependencies.Select(d => (From: d.StageName, To: n.StageName)))
            .Where(e => e.From != e.To).Distinct().OrderBy(e => column[e.From]).ThenBy(e => column[e.To]).ToList();
        var width = stages.Count * (BoxWidth + Gap) - Gap + 20;
        var height = Top + BoxHeight + 20;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"task graph\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">");
        svg.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>");
        foreach (var (from, to) in edges)
        {
            double x1 = X(column[from]) + BoxWidth, x2 = X(column[to]);
            const double y = Top + BoxHeight / 2.0;
            if (column[to] == column[from] + 1)
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x1}\" y1=\"{y}\" x2=\"{x2 - 2}\" y2=\"{y}\" stroke=\"#555\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>");
            else
            {
                // A dependency that skips stages (evaluate on the dataset) arcs over the boxes in between.
                double ax = X(column[from]) + BoxWidth / 2.0, bx = X(column[to]) + BoxWidth / 2.0;
                svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{ax},{Top} C{ax},{Top - 30} {bx},{Top - 30} {bx},{Top - 2}\" fill=\"none\" stroke=\"#999\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>");
            }
        }
        foreach (var stage in stages)
        {
            var nodes = graph.Nodes.Where(n => n.StageName == stage).ToList();
            var done = nodes.Count(n => states.IsDone(n.Index));
            var failed = nodes.Count(n => states.Status[n.Index] == NodeStatus.Failed);
            var plugins = string.Join(", ", nodes.Select(n => n.Plugin.Name).Distinct());
            var fill = failed > 0 ? "#fde2e1" : done == nodes.Count ? "#e3f4e1" : "#fff4d6";
            var x = X(column[stage]);
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"stage\"><rect x=\"{x}\" y=\"{Top}\" width=\"{BoxWidth}\" height=\"{BoxHeight}\" rx=\"6\" fill=\"{fill}\" stroke=\"#444\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + BoxWidth / 2}\" y=\"{Top + 20}\" text-anchor=\"middle\" font-weight=\"bold\">{Encode(stage)} ×{nodes.Count}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + BoxWidth / 2}\" y=\"{Top + 38}\" text-anchor=\"middle\" font-size=\"12\">{Encode(plugins)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + BoxWidth / 2}\" y=\"{Top + 55}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#333\">{done}/{nodes.Count} up to date{(failed > 0 ? $", {failed} failed" : "")}</text></g>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static int X(int column) => 10 + column * (BoxWidth + Gap);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
