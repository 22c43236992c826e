using System.Text.Json.Nodes;

namespace Recipes.Training.GraphNetworks;

/// <summary>The dataset's metadata.json, as the graph network simulator reads it.</summary>
public sealed record GnsMetadata(int Dim, double Dt, double ConnectivityRadius, double[] Lower, double[] Upper,
    double[] VelocityMean, double[] VelocityStd, double[] AccelerationMean, double[] AccelerationStd)
{
    /// <summary>The particle spacing (<c>dx</c>, written with LagrangeBench's files); null where the dataset does not say.</summary>
    public double? Dx { get; init; }

    public static GnsMetadata Read(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        double[] Values(string key) => json[key]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var bounds = json["bounds"]!.AsArray();
        return new GnsMetadata(
            json["dim"]!.GetValue<int>(),
            json["dt"]!.GetValue<double>(),
            json["default_connectivity_radius"]!.GetValue<double>(),
            bounds.Select(b => b![0]!.GetValue<double>()).ToArray(),
            bounds.Select(b => b![1]!.GetValue<double>()).ToArray(),
            Values("vel_mean"), Values("vel_std"), Values("acc_mean"), Values("acc_std"))
        {
            Dx = json["dx"] is JsonValue dx && dx.TryGetValue(out double spacing) && double.IsFinite(spacing) && spacing > 0 ? spacing : null,
        };
    }
}
