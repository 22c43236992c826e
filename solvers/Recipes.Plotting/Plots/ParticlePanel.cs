namespace Recipes.Plotting.Plots;

/// <summary>
/// Particle positions (x, y pairs) in the box [<paramref name="Lower"/>, <paramref name="Upper"/>], drawn as dots of
/// <paramref name="Color"/>, or of <paramref name="PointColors"/> one per point (a colour per particle type, the same in
/// every panel); those outside the box are left out.
/// </summary>
public sealed record ParticlePanel(IReadOnlyList<(double X, double Y)> Points, (double X, double Y) Lower, (double X, double Y) Upper, string Color = "#1f77b4",
    IReadOnlyList<string>? PointColors = null) : GridPanel
{
    public override double Aspect => (Upper.X - Lower.X) / Math.Max(1e-12, Upper.Y - Lower.Y);
}
