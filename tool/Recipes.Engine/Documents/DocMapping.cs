using Recipes.Diagnostics;

namespace Recipes.Documents;

/// <summary>A mapping whose keys keep their order and positions; duplicate keys are rejected when reading.</summary>
public sealed class DocMapping : DocNode
{
    public DocMapping(SourceLocation location, List<DocEntry> entries) : base(location) => Entries = entries;

    public List<DocEntry> Entries { get; }

    public override string KindName => "mapping";

    public IEnumerable<string> Keys => Entries.Select(e => e.Name);

    public DocNode? this[string key] => Entries.FirstOrDefault(e => e.Name == key)?.Value;

    public DocEntry? Entry(string key) => Entries.FirstOrDefault(e => e.Name == key);

    public void Set(DocScalar key, DocNode value)
    {
        var index = Entries.FindIndex(e => e.Name == key.Text);
        if (index >= 0) Entries[index] = Entries[index] with { Value = value };
        else Entries.Add(new DocEntry(key, value));
    }

    public void Remove(string key) => Entries.RemoveAll(e => e.Name == key);

    public override DocNode Clone() =>
        new DocMapping(Location, Entries.Select(e => new DocEntry(e.Key, e.Value.Clone())).ToList());
}
