using System.Runtime.CompilerServices;

namespace Recipes.Tests.Support;

/// <summary>
/// Snapshot testing in the manner of Verify: the expected text lives beside the test as
/// <c>&lt;Class&gt;.&lt;name&gt;.verified.txt</c>. A mismatch writes <c>.received.txt</c> next to it and fails; to accept an
/// intended change, look at the difference and run the tests once with <c>RECIPES_ACCEPT_SNAPSHOTS=1</c> (or move the
/// received file over the verified one).
/// </summary>
public static class Snapshot
{
    public static void Match(string actual, string name, [CallerFilePath] string testFile = "")
    {
        // CI builds map source paths to "/_/" (deterministic builds): put the repository back in front.
        if (testFile.StartsWith("/_/", StringComparison.Ordinal))
            testFile = Path.Combine(global::Recipes.Tests.Cli.MalformedRecipeTests.RepoRoot(), testFile["/_/".Length..]);
        var directory = Path.GetDirectoryName(testFile)!;
        var stem = Path.Combine(directory, Path.GetFileNameWithoutExtension(testFile) + "." + name);
        var verified = stem + ".verified.txt";
        var received = stem + ".received.txt";
        var text = actual.ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("RECIPES_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verified, text);
            File.Delete(received);
            return;
        }
        var expected = File.Exists(verified) ? File.ReadAllText(verified).ReplaceLineEndings("\n") : null;
        if (expected == text)
        {
            File.Delete(received);
            return;
        }
        File.WriteAllText(received, text);
        var firstDifference = expected is null ? 0 : FirstDifferentLine(expected, text);
        Assert.Fail(expected is null
            ? $"no snapshot {Path.GetFileName(verified)} yet; review {Path.GetFileName(received)} and accept it"
            : $"{Path.GetFileName(verified)} differs from line {firstDifference + 1}: expected \"{Line(expected, firstDifference)}\", got \"{Line(text, firstDifference)}\" (whole output in {Path.GetFileName(received)})");
    }

    private static int FirstDifferentLine(string a, string b)
    {
        var left = a.Split('\n');
        var right = b.Split('\n');
        var i = 0;
        while (i < left.Length && i < right.Length && left[i] == right[i]) i++;
        return i;
    }

    private static string Line(string text, int index)
    {
        var lines = text.Split('\n');
        return index < lines.Length ? lines[index] : "<end>";
    }
}
