using Recipes.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Recipes.Training.GraphNetworks;

/// <summary>
/// The encoder–processor–decoder of "Learning to Simulate Complex Physics with Graph Networks": MLPs (two hidden layers,
/// LayerNorm on their output) encode node and edge features into a latent graph; M interaction-network steps with
/// unshared weights update edges from their endpoints and nodes from the sum of incoming edges, both residually; an MLP
/// decodes each node's latent into a normalized acceleration.
/// </summary>
public sealed class GnsModel : Module<GnsGraph, Tensor>
{
    private readonly Module<Tensor, Tensor> nodeEncoder;
    private readonly Module<Tensor, Tensor> edgeEncoder;
    private readonly ModuleList<Module<Tensor, Tensor>> edgeUpdates = new();
    private readonly ModuleList<Module<Tensor, Tensor>> nodeUpdates = new();
    private readonly Module<Tensor, Tensor> decoder;
    private readonly Embedding typeEmbedding;

    public GnsModel(int nodeFeatures, int edgeFeatures, int dimensions, int latent, int steps, int types = 9, int embedding = 16) : base(nameof(GnsModel))
    {
        typeEmbedding = Embedding(types, embedding);
        nodeEncoder = Mlp(nodeFeatures + embedding, latent, latent, layerNorm: true);
        edgeEncoder = Mlp(edgeFeatures, latent, latent, layerNorm: true);
        for (var m = 0; m < steps; m++)
        {
            edgeUpdates.Add(Mlp(3 * latent, latent, latent, layerNorm: true));
            nodeUpdates.Add(Mlp(2 * latent, latent, latent, layerNorm: true));
        }
        decoder = Mlp(latent, latent, dimensions, layerNorm: false);
        RegisterComponents();
    }

    private static Module<Tensor, Tensor> Mlp(long input, long hidden, long output, bool layerNorm)
    {
        var layers = new List<Module<Tensor, Tensor>> { Linear(input, hidden), ReLU(), Linear(hidden, hidden), ReLU(), Linear(hidden, output) };
        if (layerNorm) layers.Add(LayerNorm(output));
        return Sequential(layers);
    }

    public override Tensor forward(GnsGraph graph)
    {
        using var scope = NewDisposeScope();
        var nodes = nodeEncoder.call(cat([graph.NodeFeatures, typeEmbedding.call(graph.Types)], 1));
        var edges = edgeEncoder.call(graph.EdgeFeatures);
        for (var m = 0; m < edgeUpdates.Count; m++)
        {
            var update = edgeUpdates[m].call(cat([edges, nodes.index_select(0, graph.Senders), nodes.index_select(0, graph.Receivers)], 1));
            edges = HeldScalars.Sum(edges, update);
            var incoming = zeros_like(nodes).index_add(0, graph.Receivers, edges, HeldScalars.One);
            nodes = HeldScalars.Sum(nodes, nodeUpdates[m].call(cat([nodes, incoming], 1)));
        }
        return decoder.call(nodes).MoveToOuterDisposeScope();
    }
}
