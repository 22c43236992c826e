using static TorchSharp.torch;

namespace Recipes.Training.GraphNetworks;

/// <summary>One input graph: node features and types, and edges (sender → receiver) with their features.</summary>
public sealed record GnsGraph(Tensor NodeFeatures, Tensor Types, Tensor Senders, Tensor Receivers, Tensor EdgeFeatures);
