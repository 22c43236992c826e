using System.Text.Json;
using Recipes.Plugins;
using Recipes.Plugins.Files;

namespace Recipes.Training;

/// <summary>
/// model.json, the record a trainer leaves beside its weights so that its evaluator can rebuild the network: written
/// from a typed record (snake_case names, indented, one trailing newline, the bytes the earlier hand-built objects
/// had) and read back through the bounded file reader into the same record, so a missing or mistyped field is one
/// line naming the file, not a null dereference in the evaluator.
/// </summary>
public static class ModelFile
{
    /// <summary>The file's name in a train node's outputs.</summary>
    public const string Name = "model.json";

    /// <summary>A model.json is a few hundred bytes; anything near this is not one.</summary>
    private const long MaxBytes = 1L << 20;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    public static async Task WriteAsync<T>(string path, T model, CancellationToken cancellationToken) =>
        await File.WriteAllTextAsync(path, Text(model), cancellationToken);

    /// <summary>
    /// The same, synchronously: for a trainer running on the libtorch thread, whose synchronization context would wait
    /// on itself if it blocked on the asynchronous write.
    /// </summary>
    public static void Write<T>(string path, T model) => File.WriteAllText(path, Text(model));

    private static string Text<T>(T model) => JsonSerializer.Serialize(model, Options) + "\n";

    /// <summary>A description as a JSON object, with the file's names (a checkpoint carries one in its state).</summary>
    public static System.Text.Json.Nodes.JsonObject ToNode<T>(T model) => (System.Text.Json.Nodes.JsonObject)JsonSerializer.SerializeToNode(model, Options)!;

    /// <summary>A description from a JSON object written by <see cref="ToNode{T}"/>; <paramref name="what"/> names it in the error.</summary>
    public static T FromNode<T>(System.Text.Json.Nodes.JsonNode? node, string what)
    {
        try
        {
            return node.Deserialize<T>(Options) ?? throw new PluginException($"{what}: holds null, not a model description");
        }
        catch (JsonException e)
        {
            throw new PluginException($"{what}: not the model description this tool reads ({e.Message.Split('\n')[0]})");
        }
    }

    /// <summary>The record in <paramref name="path"/>; a <see cref="PluginException"/> naming the file when it is not one.</summary>
    public static T Read<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(RegularFile.ReadAllBytes(path, MaxBytes), Options)
                ?? throw new PluginException($"{path}: holds null, not a model description");
        }
        catch (RefusedFileException e)
        {
            throw new PluginException(e.Message);
        }
        catch (JsonException e)
        {
            throw new PluginException($"{path}: not the model description this evaluator reads ({e.Message.Split('\n')[0]}); retrain with this version of the tool");
        }
    }
}
