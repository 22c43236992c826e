using Recipes.Graph;
using Recipes.Hashing;

namespace Recipes.Engine.Tests.Graph;

/// <summary>The compact forms a million-sample graph is held in read exactly as the plain forms they replace.</summary>
public sealed class CompactGraphTests
{
    private static readonly KeyValuePair<string, string>[] Shared =
    [
        new("stage", "\"simulate\""), new("plugin", "\"heat2d\""), new("version", "3"), new("settings", "{\"n\":64}"), new("identity", "\"abc\""),
    ];

    [Fact]
    public void ASpecFromItsStagesLayoutHasTheMembersTextAndKeyOfTheWholeArray()
    {
        var layout = new NodeSpecLayout(Shared, "params", "templates");
        var compact = new NodeSpec(layout, "{\"x\":0.5}", "[\"case.ini\"]");
        var made = 0;
        var deferred = new NodeSpec(layout, own => { made++; return own == 0 ? "{\"x\":0.5}" : "[\"case.ini\"]"; });
        var whole = new NodeSpec([.. Shared, new("params", "{\"x\":0.5}"), new("templates", "[\"case.ini\"]")]);

        Assert.Equal(whole.Members, compact.Members);
        Assert.Equal(whole.Members, deferred.Members);
        Assert.Equal(whole.Text, compact.Text);
        Assert.Equal(whole.Text, deferred.Text);
        Assert.Equal(new KeyBuilder().AddObject("spec", whole.Members).Build(), new KeyBuilder().AddObject("spec", compact.Members).Build());
        Assert.Equal(["identity", "params", "plugin", "settings", "stage", "templates", "version"], compact.Members.Select(m => m.Key));
        // Made at each read, never kept.
        Assert.True(made >= 4);
    }

    [Fact]
    public void ALayoutRefusesANameGivenTwiceAndASpecTheWrongNumberOfValues()
    {
        Assert.Throws<ArgumentException>(() => new NodeSpecLayout(Shared, "stage"));
        Assert.Throws<ArgumentException>(() => new NodeSpec(new NodeSpecLayout(Shared, "params"), "a", "b"));
    }

    [Fact]
    public void LinksKeepTheirOrderAndASamplesNodeWritesTheIdItWouldMake()
    {
        var nodes = Enumerable.Range(0, 6).Select(i => Node(i == 5 ? "dataset/shard-0000" : null, i)).ToList();
        for (var i = 0; i < 5; i++) GraphNode.Link(nodes[i], nodes[5]);
        GraphNode.Link(nodes[0], nodes[1]);

        Assert.Equal(nodes.Take(5), nodes[5].Dependencies);
        Assert.Equal(5, nodes[5].Dependencies.Count);
        Assert.Equal(3, nodes[5].Dependencies.IndexOf(nodes[3]));
        Assert.Equal(-1, nodes[5].Dependencies.IndexOf(nodes[5]));
        Assert.Equal([nodes[5], nodes[1]], nodes[0].Dependents);
        Assert.Throws<ArgumentOutOfRangeException>(() => nodes[1].Dependencies[1]);
        var walked = new List<GraphNode>();
        foreach (var dependency in nodes[5].Dependencies) walked.Add(dependency);
        Assert.Equal(nodes.Take(5), walked);

        Span<char> text = stackalloc char[64];
        Assert.True(nodes[2].TryWriteId(text, out var length));
        Assert.Equal("simulate/000002", text[..length].ToString());
        Assert.False(nodes[2].TryWriteId(text[..4], out _));
        var shared = new string("simulate/000002".AsSpan());
        nodes[2].ShareId(shared);
        Assert.Same(shared, nodes[2].Id);
        Assert.Equal("dataset/shard-0000", nodes[5].Id);
    }

    private static readonly Recipes.Recipe.StageDefinition Simulate = new()
    {
        Stage = "simulate",
        Plugin = new IdleStage(),
        Settings = Plugins.ValueMap.Empty,
        Materialize = true,
        Location = new Diagnostics.SourceLocation("recipe.yaml", 1, 1),
    };

    private sealed class IdleStage : Plugins.StagePlugin
    {
        public override string Name => "idle";
        public override string Stage => "simulate";
        public override int Version => 1;
        public override string Summary => "Does nothing: a node's stage for tests of the graph's forms.";
        public override Task RunAsync(Plugins.PluginContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static GraphNode Node(string? id, int sample) => new()
    {
        Id = id!,
        Stage = Simulate,
        Sample = id is null ? new Recipes.Sampling.Sample(sample, Recipes.Sampling.Sample.IdFor(sample), Plugins.ValueMap.Empty) : null,
        Settings = Plugins.ValueMap.Empty,
        Spec = new NodeSpec([]),
        RecipeSeed = 1,
        Resources = Plugins.NodeResources.OneThread,
    };
}
