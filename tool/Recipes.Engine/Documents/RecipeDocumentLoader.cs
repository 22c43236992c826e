using Recipes.Diagnostics;

namespace Recipes.Documents;

/// <summary>
/// Loads a recipe file, resolves <c>include:</c> (depth first, the including file wins, cycles are errors) and applies
/// <c>--set PATH=VALUE</c> overrides.
/// </summary>
public static class RecipeDocumentLoader
{
    public const string IncludeKey = "include";
    public const long MaxFileBytes = 4L << 20;

    /// <summary>
    /// Files read while expanding one recipe's includes, counting a file each time it is included: a diamond of
    /// includes (each file including the next two) doubles with every level, and depth alone never stops it.
    /// </summary>
    public const int MaxExpandedFiles = 256;

    /// <summary>Bytes of YAML read while expanding one recipe's includes, repeats counted.</summary>
    public const long MaxExpandedBytes = 16L << 20;

    /// <summary>What one recipe's expansion has read so far; the first file over a limit is the one error.</summary>
    private sealed class Expansion
    {
        public int Files;
        public long Bytes;
        public bool Exceeded;
    }

    public static RecipeDocument? Load(string recipePath, IReadOnlyList<string> sets, DiagnosticBag diagnostics)
    {
        var full = Path.GetFullPath(recipePath);
        var sources = new List<string>();
        if (!File.Exists(full))
        {
            diagnostics.Error(new SourceLocation(DisplayPath.Of(full), 1, 1),
                Directory.Exists(full)
                    ? "is a directory; pass the recipe file (e.g. recipe.yaml)"
                    : "recipe file not found; check the path");
            return null;
        }
        var root = LoadFile(full, [], sources, diagnostics, includedFrom: null, new Expansion()) ?? new DocMapping(new SourceLocation(DisplayPath.Of(full), 1, 1), []);
        for (var i = 0; i < sets.Count; i++) ApplySet(root, sets[i], i + 1, diagnostics);
        return new RecipeDocument(full, root, sources);
    }

    private static DocMapping? LoadFile(string fullPath, List<string> stack, List<string> sources, DiagnosticBag diagnostics, SourceLocation? includedFrom,
        Expansion expansion)
    {
        if (expansion.Exceeded) return null;
        var display = DisplayPath.Of(fullPath);
        if (!sources.Contains(fullPath)) sources.Add(fullPath);
        string text;
        try
        {
            // Only a regular file of sane size is read: a pipe or a device (which report no size) would block or never end.
            // A link is judged by what it leads to (FileInfo.Length of a link is the length of its target's name).
            var info = new FileInfo(fullPath);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target) info = target;
            if (info.Length == 0 || info.Length > MaxFileBytes)
            {
                diagnostics.Error(includedFrom ?? new SourceLocation(display, 1, 1), info.Length == 0
                    ? $"{display} is empty or not a regular file (a pipe or a device); a recipe is a YAML file that starts with 'recipe: NAME'"
                    : $"{display} is {info.Length / 1024 / 1024} MiB; a recipe or include is at most {MaxFileBytes / 1024 / 1024} MiB of YAML");
                return null;
            }
            if (++expansion.Files > MaxExpandedFiles || (expansion.Bytes += info.Length) > MaxExpandedBytes)
            {
                expansion.Exceeded = true;
                diagnostics.Error(includedFrom ?? new SourceLocation(display, 1, 1),
                    $"including {display} expands the recipe past {MaxExpandedFiles} files or {MaxExpandedBytes / 1024 / 1024} MiB (files included more than once count each time); include each file once");
                return null;
            }
            text = File.ReadAllText(fullPath);
        }
        catch (IOException e)
        {
            diagnostics.Error(includedFrom ?? new SourceLocation(display, 1, 1), $"cannot read {display}: {e.Message}");
            return null;
        }
        var node = YamlDocumentReader.Read(text, display, diagnostics);
        if (node is null)
        {
            if (!diagnostics.HasErrors)
                diagnostics.Error(new SourceLocation(display, 1, 1), "the file is empty; a recipe starts with 'recipe: NAME'");
            return null;
        }
        if (node is not DocMapping mapping)
        {
            diagnostics.Error(node.Location, $"a recipe must be a mapping of keys (recipe:, parameters:, stages:), not a {node.KindName}");
            return null;
        }

        var includeEntry = mapping.Entry(IncludeKey);
        if (includeEntry is null) return mapping;
        mapping.Remove(IncludeKey);

        var includes = includeEntry.Value switch
        {
            DocScalar s => [s],
            DocSequence seq => seq.Items,
            var other => [other],
        };
        stack.Add(fullPath);
        DocMapping? merged = null;
        foreach (var item in includes)
        {
            if (item is not DocScalar path || path.IsNull)
            {
                diagnostics.Error(item.Location, "include takes a file path or a list of file paths");
                continue;
            }
            var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(fullPath)!, path.Text));
            if (stack.Contains(target))
            {
                var chain = stack.SkipWhile(s => s != target).Append(target).Select(Path.GetFileName);
                diagnostics.Error(path.Location, $"include cycle: {string.Join(" -> ", chain)}; remove one of these includes");
                continue;
            }
            if (!File.Exists(target))
            {
                diagnostics.Error(path.Location, $"included file '{path.Text}' not found (looked for {DisplayPath.Of(target)})");
                continue;
            }
            var included = LoadFile(target, stack, sources, diagnostics, path.Location, expansion);
            if (included is null) continue;
            merged = merged is null ? included : (DocMapping)Merge(merged, included);
        }
        stack.RemoveAt(stack.Count - 1);
        if (merged is null) return mapping;
        // The merged document is this file's: a problem of the whole (a missing key) is reported here, not in an include.
        return new DocMapping(mapping.Location, ((DocMapping)Merge(merged, mapping)).Entries);
    }

    /// <summary>A --set value: YAML flow syntax for lists and mappings, otherwise the plain text as a scalar.</summary>
    private static DocNode ParseValue(string text, SourceLocation at, DiagnosticBag diagnostics)
    {
        var trimmed = text.TrimStart();
        if (!trimmed.StartsWith('[') && !trimmed.StartsWith('{')) return new DocScalar(at, text, quoted: false);
        var parsed = YamlDocumentReader.Read("v: " + text, at.File, new DiagnosticBag()) as DocMapping;
        if (parsed?["v"] is { } node and not DocScalar) return Relocate(node, at);
        diagnostics.Error(at, $"--set value '{text}' is not a valid YAML list or mapping");
        return new DocScalar(at, text, quoted: false);
    }

    private static DocNode Relocate(DocNode node, SourceLocation at) => node switch
    {
        DocScalar s => new DocScalar(at, s.Text, s.Quoted),
        DocSequence seq => new DocSequence(at, seq.Items.Select(i => Relocate(i, at)).ToList()),
        DocMapping map => new DocMapping(at, map.Entries.Select(e => new DocEntry(new DocScalar(at, e.Key.Text, true), Relocate(e.Value, at))).ToList()),
        _ => node,
    };

    /// <summary>Deep merge: mappings merge key by key, anything else in <paramref name="overlay"/> replaces.</summary>
    public static DocNode Merge(DocNode @base, DocNode overlay)
    {
        if (@base is not DocMapping baseMap || overlay is not DocMapping overlayMap) return overlay;
        var result = (DocMapping)baseMap.Clone();
        foreach (var entry in overlayMap.Entries)
        {
            var existing = result[entry.Name];
            result.Set(entry.Key, existing is null ? entry.Value : Merge(existing, entry.Value));
        }
        return result;
    }

    /// <summary>
    /// Applies one <c>PATH=VALUE</c>: PATH is dotted (list items by index); missing mappings are created. Only scalars
    /// are replaced, except that <c>parameters.space.NAME=VALUE</c> pins a parameter to one value whatever its kind.
    /// </summary>
    public static void ApplySet(DocMapping root, string assignment, int argument, DiagnosticBag diagnostics)
    {
        var at = SourceLocation.CommandLine(argument);
        var eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            diagnostics.Error(at, $"--set '{assignment}' is not PATH=VALUE (e.g. --set parameters.samples=10)");
            return;
        }
        var segments = assignment[..eq].Split('.');
        var valueText = assignment[(eq + 1)..];
        DocNode current = root;
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            var keyNode = new DocScalar(at, segment, quoted: true);
            switch (current)
            {
                case DocMapping map:
                    var child = map[segment];
                    if (last)
                    {
                        // A parameter of the space may be pinned to one value, and a list or mapping replaced by one
                        // written in YAML's flow style ([0.05, 0.1]); anything else keeps its shape.
                        var pinsParameter = i == 2 && segments[0] == "parameters" && segments[1] == "space";
                        var value = ParseValue(valueText, at, diagnostics);
                        if (child is DocMapping or DocSequence && value is DocScalar && !pinsParameter)
                        {
                            diagnostics.Error(at, $"--set {assignment[..eq]}: that path holds a {child.KindName}, not a scalar; set one of its keys or give a whole {child.KindName} ([a, b] or {{k: v}})");
                            return;
                        }
                        map.Set(keyNode, value);
                        return;
                    }
                    if (child is null)
                    {
                        child = new DocMapping(at, []);
                        map.Set(keyNode, child);
                    }
                    current = child;
                    break;
                case DocSequence seq:
                    if (!int.TryParse(segment, out var index) || index < 0 || index >= seq.Items.Count)
                    {
                        diagnostics.Error(at, $"--set {assignment[..eq]}: '{segment}' is not an index of that list (0..{seq.Items.Count - 1})");
                        return;
                    }
                    if (last)
                    {
                        seq.Items[index] = ParseValue(valueText, at, diagnostics);
                        return;
                    }
                    current = seq.Items[index];
                    break;
                default:
                    diagnostics.Error(at, $"--set {assignment[..eq]}: '{string.Join('.', segments[..i])}' is a scalar and has no key '{segment}'");
                    return;
            }
        }
    }
}
