using System.Globalization;
using Recipes.Plugins;

namespace Recipes.Solvers.OpenFoam;

/// <summary>
/// The internal field of an OpenFOAM volume field file in ASCII format (<c>writeFormat ascii</c>): per cell, a scalar or
/// a vector. Handles <c>uniform v</c> and <c>nonuniform List&lt;scalar|vector&gt; N ( ... )</c>.
/// </summary>
public static class FoamField
{
    public static double[] ReadScalars(string path, int? cells = null)
    {
        var (kind, values) = Read(path, cells);
        return kind == "vector" ? throw new PluginException($"{Path.GetFileName(path)} holds vectors, not scalars") : values;
    }

    /// <summary>Vectors flattened as x0, y0, z0, x1, ...</summary>
    public static double[] ReadVectors(string path) => Read(path, null) is ("vector", var v) ? v : throw new PluginException($"{Path.GetFileName(path)} holds no vector list");

    private static (string Kind, double[] Values) Read(string path, int? cells)
    {
        var text = File.ReadAllText(path);
        if (text.Contains("format      binary", StringComparison.Ordinal) || text.Contains("format binary", StringComparison.Ordinal))
            throw new PluginException($"{path} is written in binary; set writeFormat ascii in system/controlDict");
        var at = text.IndexOf("internalField", StringComparison.Ordinal);
        if (at < 0) throw new PluginException($"{path} has no internalField");
        var position = at + "internalField".Length;
        var first = NextToken(text, ref position);
        if (first == "uniform")
        {
            var value = NextToken(text, ref position).TrimEnd(';');
            var scalar = Number(value, path);
            if (cells is null) throw new PluginException($"{path} is uniform; the cell count is needed to expand it");
            return ("scalar", Enumerable.Repeat(scalar, cells.Value).ToArray());
        }
        if (first != "nonuniform") throw new PluginException($"{path}: unexpected '{first}' after internalField");
        var type = NextToken(text, ref position);
        var kind = type.Contains("vector", StringComparison.Ordinal) ? "vector" : "scalar";
        var count = (int)Number(NextToken(text, ref position), path);
        var open = text.IndexOf('(', position);
        var values = new double[count * (kind == "vector" ? 3 : 1)];
        var index = 0;
        position = open + 1;
        while (index < values.Length)
        {
            var token = NextToken(text, ref position).Trim('(', ')');
            if (token.Length == 0) continue;
            values[index++] = Number(token, path);
        }
        return (kind, values);
    }

    private static string NextToken(string text, ref int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
        var start = position;
        while (position < text.Length && !char.IsWhiteSpace(text[position])) position++;
        return text[start..position];
    }

    private static double Number(string token, string path) =>
        double.TryParse(token.Trim('(', ')', ';'), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new PluginException($"{path}: '{token}' is not a number");
}
