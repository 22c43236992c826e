using System.Text.Json.Nodes;
using Recipes.Tests.Support;

namespace Recipes.Tests.Lineage;

/// <summary>
/// <c>recipes export-provenance</c> read back by an independent PROV implementation (the prov Python package): the
/// document deserializes, and a chain of derivations leads from the dataset shard to the template the samples rendered.
/// </summary>
public sealed class ExportProvenanceTests
{
    private const string Reader = """
        import sys
        from collections import defaultdict
        from prov.model import ProvDocument, ProvDerivation, ProvActivity, ProvAgent, ProvEntity
        doc = ProvDocument.deserialize(sys.argv[1], format="json")
        records = list(doc.get_records())
        parents = defaultdict(set)
        for r in records:
            if isinstance(r, ProvDerivation):
                a = dict(r.formal_attributes)
                parents[str(a[r.FORMAL_ATTRIBUTES[0]])].add(str(a[r.FORMAL_ATTRIBUTES[1]]))
        labels = {}
        for e in records:
            if isinstance(e, ProvEntity):
                for k, v in e.attributes:
                    if str(k) == "recipes:path":
                        labels[str(v)] = str(e.identifier)
        shard, template = labels[sys.argv[2]], labels[sys.argv[3]]
        # Breadth first from the shard back through wasDerivedFrom: the path to the template, entity by entity.
        previous, frontier = {shard: None}, [shard]
        while frontier and template not in previous:
            nxt = []
            for e in frontier:
                for p in parents[e]:
                    if p not in previous:
                        previous[p] = e
                        nxt.append(p)
            frontier = nxt
        path, e = [], template if template in previous else None
        while e is not None:
            path.append(e)
            e = previous[e]
        activities = [r for r in records if isinstance(r, ProvActivity)]
        timed = sum(1 for a in activities if a.get_startTime() is not None and a.get_endTime() is not None)
        agents = [str(v) for r in records if isinstance(r, ProvAgent) for k, v in r.attributes if str(k) == "recipes:version"]
        print(len(path), len(activities), timed, ",".join(agents))
        """;

    [PythonProvFact]
    public void TheDocumentReadsInProvAndDerivesTheShardFromTheTemplate()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var build = Support.Cli.Run(ws.Root, "build", "recipe.yaml");
        Assert.True(build.ExitCode == 0, build.Stderr);
        var file = Path.Combine(ws.Root, "provenance.json");
        var export = Support.Cli.Run(ws.Root, "export-provenance", "recipe.yaml", "-o", file);
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.Contains("13 activities", export.Stdout);

        var answer = PythonNumpy.RunWith(PythonNumpy.WithProv!, Reader, file, "dataset/shard-0000.csv", "base/input.txt.sbn").Trim().Split(' ');
        // shard <- a simulation's file <- input.txt (render) <- input.txt.sbn; the sweep's "solver" copies input.txt to
        // out.txt, and identical bytes are one entity, so the shortest path has three entities (0: no path at all).
        Assert.Equal("3", answer[0]);
        Assert.Equal("13", answer[1]);
        Assert.Equal("13", answer[2]);
        Assert.StartsWith("0.1.0", answer[3], StringComparison.Ordinal);

        // The same document as JSON: every output of the build is an entity named by its content hash.
        var document = JsonNode.Parse(File.ReadAllText(file))!;
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(ws.OutDir, "sweep", "manifest.json")))!;
        foreach (var sample in manifest["samples"]!.AsArray())
            foreach (var output in sample!["files"]!.AsArray())
                Assert.NotNull(document["entity"]![$"blob:{output!["hash"]!.GetValue<string>()}"]);
    }

    [Fact]
    public void WithoutABuildItIsOneLineAndExitTwo()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        var export = Support.Cli.Run(ws.Root, "export-provenance", "recipe.yaml");
        Assert.Equal(2, export.ExitCode);
        Assert.Single(export.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no build of sweep is recorded", export.Stderr);
    }
}
