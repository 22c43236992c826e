using Recipes.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Recipes.Documents;

/// <summary>
/// Reads one YAML document into <see cref="DocNode"/>s from the parser's events, keeping line and column of every
/// node. Duplicate keys, multiple documents and unsupported constructs become diagnostics rather than exceptions.
/// </summary>
public static class YamlDocumentReader
{
    public static DocNode? Read(string text, string displayFile, DiagnosticBag diagnostics)
    {
        var anchors = new Dictionary<string, DocNode>(StringComparer.Ordinal);
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            DocNode? root = parser.Accept<DocumentEnd>(out _) ? null : ReadNode(parser, displayFile, anchors, diagnostics);
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
    }

    private static DocNode ReadNode(IParser parser, string file, Dictionary<string, DocNode> anchors, DiagnosticBag diagnostics)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target)) return target.Clone();
            diagnostics.Error(At(file, alias.Start), $"unknown alias '*{alias.Value.Value}'");
            return new DocScalar(At(file, alias.Start), "", quoted: false);
        }

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
            while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ReadNode(parser, file, anchors, diagnostics));
            node = new DocSequence(At(file, seqStart.Start), items);
        }
        else if (parser.TryConsume<MappingStart>(out var mapStart))
        {
            anchor = mapStart.Anchor.IsEmpty ? null : mapStart.Anchor.Value;
            var entries = new List<DocEntry>();
            var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyNode = ReadNode(parser, file, anchors, diagnostics);
                var value = ReadNode(parser, file, anchors, diagnostics);
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
