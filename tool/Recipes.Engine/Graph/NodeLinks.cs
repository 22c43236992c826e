using System.Collections;

namespace Recipes.Graph;

/// <summary>
/// A node's dependencies or dependents, read-only: the first held in the node itself and the rest in an array, so the
/// chain of a sample's nodes (one each way) costs no list objects — four million nodes held sixteen million before.
/// </summary>
public readonly struct NodeLinks : IReadOnlyList<GraphNode>
{
    private readonly GraphNode? _first;
    private readonly GraphNode[]? _rest;

    internal NodeLinks(GraphNode? first, GraphNode[]? rest, int count)
    {
        _first = first;
        _rest = rest;
        Count = count;
    }

    public int Count { get; }

    public GraphNode this[int index] =>
        (uint)index >= (uint)Count ? throw new ArgumentOutOfRangeException(nameof(index)) : index == 0 ? _first! : _rest![index - 1];

    public int IndexOf(GraphNode node)
    {
        for (var i = 0; i < Count; i++)
            if (ReferenceEquals(this[i], node)) return i;
        return -1;
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<GraphNode> IEnumerable<GraphNode>.GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<GraphNode>)this).GetEnumerator();

    /// <summary>Enumerates without allocating (the scheduler and the key walk every node's links).</summary>
    public struct Enumerator(NodeLinks links)
    {
        private int _index = -1;

        public readonly GraphNode Current => links[_index];

        public bool MoveNext() => ++_index < links.Count;
    }

    /// <summary>The storage behind one kind of link of a node: appended to under the node's lock, read once planned.</summary>
    internal struct Store
    {
        private GraphNode? _first;
        private GraphNode[]? _rest;
        private int _count;

        public readonly NodeLinks View => new(_first, _rest, _count);

        public void Add(GraphNode node)
        {
            if (_count == 0) _first = node;
            else
            {
                var at = _count - 1;
                if (_rest is null || at == _rest.Length) Array.Resize(ref _rest, Math.Max(1, at * 2));
                _rest[at] = node;
            }
            _count++;
        }
    }
}
