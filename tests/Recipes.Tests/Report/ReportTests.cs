using System.Text.RegularExpressions;
using Recipes.Report;
using Recipes.Tests.Support;
using SkiaSharp;

namespace Recipes.Tests.Report;

/// <summary><c>recipes report</c> / <c>build --report</c>: one self-contained page that a real browser opens cleanly.</summary>
public sealed class ReportTests
{
    [Fact]
    public void BuildWritesOneSelfContainedPageWithTheGraphTimesAndMetrics()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("quickstart");
        var build = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--report");
        Assert.Equal(0, build.ExitCode);
        var page = File.ReadAllText(ws.Path_("out/quickstart/report.html"));

        // Self-contained: no script, no stylesheet or picture fetched from anywhere.
        Assert.DoesNotContain("<script", page);
        Assert.DoesNotContain("<link", page);
        Assert.DoesNotMatch(new Regex("(src|href)=\"(https?:)?//"), page);
        Assert.Contains("render ×18", page);
        Assert.Contains("simulate ×18", page);
        Assert.Contains("<td>dataset/shard-0000</td><td>dataset.rows</td><td>18</td>", page);
        Assert.Contains("18/18 up to date", page);

        Snapshot.Match(Skeleton(page), "quickstart-report-structure");
    }

    [Fact]
    public void TheMetricsSitBesideThePreviousRunAndMemoryComesFromTheRecord()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("quickstart");
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml").ExitCode);
        // Two drag values instead of three: 12 rows instead of 18.
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--set", "parameters.space.drag.steps=2", "--report").ExitCode);
        var page = File.ReadAllText(ws.Path_("out/quickstart/report.html"));

        Assert.Matches("<th>previous run \\([0-9T]+Z-[0-9a-f]{6}\\)</th>", page);
        Assert.Contains("<td>dataset/shard-0000</td><td>dataset.rows</td><td>12</td><td>18</td><td>-6 (-33.3 %)</td>", page);
        // Samples matched by their values, as diff matches them: the six at drag 0.05 left, the twelve others only moved.
        Assert.Matches("<p class=\"samples\">Against the previous run \\([0-9T]+Z-[0-9a-f]{6}\\), samples: 0 new, 6 no longer in the space, 0 changed, 12 unchanged\\.</p>", page);
        Assert.Contains("<th>median peak MiB</th>", page);
        Assert.Contains("<dt>run</dt>", page);
    }

    [Fact]
    public void PicturesAreInlinedAndPerSampleOnesAreCapped()
    {
        using var ws = new Workspace();
        using (var bitmap = new SKBitmap(4, 4))
        {
            bitmap.Erase(SKColors.OrangeRed);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            Directory.CreateDirectory(ws.Path_("base"));
            File.WriteAllBytes(ws.Path_("base/dot.png"), data.ToArray());
        }
        SampleRecipes.Sweep(ws, space: "a: { int: [1, 9] }\n    b: { choice: [x] }", command: "cp dot.png picture.png && echo \"{\\\"value\\\": 1}\" > result.json");
        File.WriteAllText(ws.Path_("recipe.yaml"), File.ReadAllText(ws.Path_("recipe.yaml")).Replace("outputs: [out.txt, result.json]", "outputs: [picture.png, result.json]"));
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml").ExitCode);

        var report = Support.Cli.Run(ws.Root, "report", "recipe.yaml", "-o", "page.html");
        Assert.Equal(0, report.ExitCode);
        var page = File.ReadAllText(ws.Path_("page.html"));
        Assert.Contains("<h3>per sample: simulate</h3>", page);
        Assert.Equal(RecipeReport.SamplePicturesPerStage, Regex.Count(page, "<img alt=\"samples/[0-9]{6}/simulate/picture.png\" src=\"data:image/png;base64,"));
        Assert.Contains("samples/000000/simulate/picture.png", page);
        Assert.DoesNotContain($"samples/{RecipeReport.SamplePicturesPerStage:000000}/simulate/picture.png", page);
    }

    [ChromiumFact]
    public void TheReportOpensInChromiumWithoutConsoleErrorsAndIsNotBlank()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("quickstart");
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--report").ExitCode);

        var opened = HeadlessChromium.Open(ws.Path_("out/quickstart/report.html"), 1200, 1600);

        Assert.True(opened.ConsoleMessages.Count == 0, string.Join('\n', opened.ConsoleMessages));
        using var shot = SKBitmap.Decode(opened.Screenshot);
        Assert.NotNull(shot);
        Assert.Equal((1200, 1600), (shot.Width, shot.Height));
        var (inked, colours) = Ink(shot);
        Assert.True(inked > 0.01, $"only {inked:P2} of the screenshot is not background");
        Assert.True(colours >= 8, $"{colours} distinct colours: the graph's boxes and the tables should show");
    }

    [ChromiumFact]
    public void TheBrowserCheckSeesAPageThatFails()
    {
        // The check above can fail: a page with a script error and a missing picture is reported.
        using var ws = new Workspace();
        var page = ws.Write("broken.html", "<!DOCTYPE html><html><body><p>x</p><img src=\"missing.png\"><script>throw new Error(\"broken page\")</script></body></html>");
        var opened = HeadlessChromium.Open(page, 400, 300);
        Assert.Contains(opened.ConsoleMessages, m => m.Contains("broken page", StringComparison.Ordinal));
    }

    /// <summary>Fraction of pixels unlike the top-left (background) pixel, and how many distinct colours there are.</summary>
    private static (double Inked, int Colours) Ink(SKBitmap shot)
    {
        var background = shot.GetPixel(0, 0);
        var colours = new HashSet<SKColor>();
        long inked = 0;
        for (var y = 0; y < shot.Height; y += 2)
            for (var x = 0; x < shot.Width; x += 2)
            {
                var pixel = shot.GetPixel(x, y);
                colours.Add(pixel);
                if (pixel != background) inked++;
            }
        return (inked / (shot.Width * shot.Height / 4.0), colours.Count);
    }

    /// <summary>The page's element structure (tags with id and class, one per line), without text, numbers or pictures.</summary>
    private static string Skeleton(string html)
    {
        var lines = new List<string>();
        var depth = 0;
        foreach (Match tag in Regex.Matches(html, "<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*?)(/?)>"))
        {
            var name = tag.Groups[2].Value.ToLowerInvariant();
            if (tag.Groups[1].Value == "/")
            {
                depth = Math.Max(0, depth - 1);
                continue;
            }
            var id = Regex.Match(tag.Groups[3].Value, "\\sid=\"([^\"]*)\"");
            var cls = Regex.Match(tag.Groups[3].Value, "\\sclass=\"([^\"]*)\"");
            lines.Add(new string(' ', depth * 2) + name + (id.Success ? "#" + id.Groups[1].Value : "") + (cls.Success ? "." + cls.Groups[1].Value : ""));
            var empty = tag.Groups[4].Value == "/" || name is "meta" or "img" or "br" or "hr" or "input" or "link";
            if (!empty) depth++;
        }
        return string.Join('\n', lines) + "\n";
    }
}
