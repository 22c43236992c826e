using Recipes.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Recipes.Documents;

/// <summary>
/// Reads one YAML document into <see cref="DocNode"/>s from the parser's events, keeping line and column of every
/// node. Duplicate keys, multiple documents and unsupported constructs become diagnostics rather than exceptions.
/// Reading is bounded, so hostile input is reported as bad input: at most <see cref="MaxDepth"/> levels of nesting and
/// <see cref="MaxNodes"/> nodes, aliases counted at their expanded size (the "billion laughs" of YAML).
/// </summary>
public static class YamlDocumentReader
{
    public const int MaxDepth = 100;
    public const int MaxNodes = 200_000;

    /// <summary>Thrown from deep in the recursion to stop reading; reported at the node where the bound was crossed.</summary>
    private sealed class LimitException(Mark at, string message) : Exception(message)
    {
        public Mark At { get; } = at;
    }

    private sealed class Budget
    {
        public int Nodes;
        public readonly Dictionary<DocNode, int> Sizes = new(ReferenceEqualityComparer.Instance);
    }

    public static DocNode? Read(string text, string displayFile, DiagnosticBag diagnostics)
    {
        var anchors = new Dictionary<string, DocNode>(StringComparer.Ordinal);
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            DocNode? root = parser.Accept<DocumentEnd>(out _) ? null : ReadNode(parser, displayFile, anchors, diagnostics, new Budget(), 0);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
                diagnostics.Error(At(displayFile, second.Start), "a recipe file holds one YAML document; remove the second '---'");
            return root;
        }
        catch (YamlException e)
        {
            diagnostics.Error(At(displayFile, e.Start), "YAML syntax error: " + Clean(e));
            return null;
        }
        catch (LimitException e)
        {
            diagnostics.Error(At(displayFile, e.At), e.Message);
            return null;
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this instead of a YamlException on some malformed plain scalars (found by the
            // fuzz suite: a flow sequence cut inside a scalar); it carries no position, so the file's start is named.
            diagnostics.Error(new SourceLocation(displayFile, 1, 1), "YAML syntax error: the file could not be parsed (" + Escaping.TerminalText.Clean(e.Message) + ")");
            return null;
        }
    }

    private static int SizeOf(DocNode node, Budget budget)
    {
        if (budget.Sizes.TryGetValue(node, out var size)) return size;
        size = 1 + node switch
        {
            DocSequence seq => seq.Items.Sum(i => SizeOf(i, budget)),
            DocMapping map => map.Entries.Sum(e => 1 + SizeOf(e.Value, budget)),
            _ => 0,
        };
        budget.Sizes[node] = size;
        return size;
    }

    private static void Count(Budget budget, int nodes, Mark at)
    {
        budget.Nodes += nodes;
        if (budget.Nodes > MaxNodes)
            throw new LimitException(at, $"the document expands to more than {MaxNodes} nodes (aliases count at their expanded size); a recipe is far smaller: check for runaway aliases");
    }

    private static DocNode ReadNode(IParser parser, string file, Dictionary<string, DocNode> anchors, DiagnosticBag diagnostics, Budget budget, int depth)
    {
        var start = parser.Current?.Start ?? Mark.Empty;
        if (depth > MaxDepth) throw new LimitException(start, $"nesting deeper than {MaxDepth} levels; a recipe needs far fewer");
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target))
            {
                Count(budget, SizeOf(target, budget), alias.Start);
                return target.Clone();
            }
            diagnostics.Error(At(file, alias.Start), $"unknown alias '*{alias.Value.Value}'");
            return new DocScalar(At(file, alias.Start), "", quoted: false);
        }

        Count(budget, 1, start);
        DocNode node;
        string? anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
            node = new DocScalar(At(file, scalar.Start), scalar.Value, scalar.Style is not ScalarStyle.Plain);
        }
        else if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            anchor = seqStart.Anchor.IsEmpty ? null : seqStart.Anchor.Value;
            var items = new List<DocNode>();
            while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ReadNode(parser, file, anchors, diagnostics, budget, depth + 1));
            node = new DocSequence(At(file, seqStart.Start), items);
        }
        else if (parser.TryConsume<MappingStart>(out var mapStart))
        {
            anchor = mapStart.Anchor.IsEmpty ? null : mapStart.Anchor.Value;
            var entries = new List<DocEntry>();
            var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyNode = ReadNode(parser, file, anchors, diagnostics, budget, depth + 1);
                var value = ReadNode(parser, file, anchors, diagnostics, budget, depth + 1);
                if (keyNode is not DocScalar key)
                {
                    diagnostics.Error(keyNode.Location, "mapping keys must be plain names, not a " + keyNode.KindName);
                    continue;
                }
                if (seen.TryGetValue(key.Text, out var first))
                {
                    diagnostics.Error(key.Location, $"duplicate key '{key.Text}' (first defined at {first.Line}:{first.Column}); keep one");
                    continue;
                }
                seen[key.Text] = key.Location;
                entries.Add(new DocEntry(key, value));
            }
            node = new DocMapping(At(file, mapStart.Start), entries);
        }
        else
        {
            var current = parser.Current;
            throw new YamlException(current!.Start, current.End, $"unexpected {current.GetType().Name}");
        }

        if (anchor is not null) anchors[anchor] = node;
        return node;
    }

    private static SourceLocation At(string file, Mark mark) => new(file, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    private static string Clean(YamlException e)
    {
        // YamlDotNet prefixes messages with "(Line: x, Col: y, Idx: z) - (...): "; the location is printed separately.
        var message = e.InnerException?.Message ?? e.Message;
        var colon = message.LastIndexOf("): ", StringComparison.Ordinal);
        return colon >= 0 ? message[(colon + 3)..] : message;
    }
}
