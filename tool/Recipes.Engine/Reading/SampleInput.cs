using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Files;

namespace Recipes.Reading;

/// <summary>
/// A dataset stage's read of one sample's file (an array, an image, a result): whatever the reader refuses (empty,
/// truncated, too large, not of its format, a number that is not finite) fails the node with one line naming the
/// sample and the file as the sample wrote it, never a blob's hash and never a stack trace.
/// </summary>
public static class SampleInput
{
    /// <summary>A result or metadata file is a few kilobytes; anything past this is not one.</summary>
    public const long MaxJsonBytes = 16L << 20;

    /// <summary>Runs <paramref name="read"/> on <paramref name="file"/>'s path; its failures become <see cref="PluginException"/>.</summary>
    public static T Read<T>(UpstreamArtifacts sample, Artifact file, Func<string, T> read) => Read(sample.NodeId, file, read);

    /// <summary>As above, for a per-sample node reading its own inputs (<paramref name="owner"/> names the sample's node).</summary>
    public static T Read<T>(string owner, Artifact file, Func<string, T> read)
    {
        try
        {
            return read(file.Path);
        }
        catch (PluginException e)
        {
            throw new PluginException($"{owner}: {file.Name}: {Strip(e.Message, file.Path)}");
        }
        catch (RefusedFileException e)
        {
            throw new PluginException($"{owner}: {file.Name}: {Escaping.TerminalText.Clean(e.Reason)}");
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or FormatException or OverflowException
                                    or JsonException or ArgumentException or InvalidOperationException)
        {
            var reason = e is EndOfStreamException ? "ends before its header or data do (truncated or empty)" : Strip(e.Message, file.Path);
            throw new PluginException($"{owner}: {file.Name}: {reason}");
        }
    }

    /// <summary>The JSON object of a sample's result or metadata file, through the bounded reader.</summary>
    public static JsonObject Object(UpstreamArtifacts sample, Artifact file) =>
        Read(sample, file, path => BoundedJson.ParseObject(RegularFile.ReadAllBytes(path, MaxJsonBytes), file.Name));

    /// <summary>A message without the blob path the reader was given (the user knows the file by its output name).</summary>
    /// <remarks>
    /// Cleaned for the terminal too: a reader may quote what it found (a .npy header's shape), and the file's bytes may
    /// hold line breaks and escape sequences (found by the fuzz suite: a shape quoting the array's data).
    /// </remarks>
    private static string Strip(string message, string path) =>
        Escaping.TerminalText.Clean(message.Replace(path + ": ", "", StringComparison.Ordinal).Replace(path, "the file", StringComparison.Ordinal));
}
