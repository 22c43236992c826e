using ScottPlot;
using SkiaSharp;

namespace Recipes.Plotting.Plots;

/// <summary>
/// The one font every chart uses, DejaVu Sans embedded in this assembly (licence in Plots/Fonts). SkiaSharp's
/// NoDependencies build finds no system fonts without fontconfig, so a bare machine would draw boxes or nothing;
/// an embedded font also makes the same data give the same PNG bytes on every machine.
/// </summary>
public static class PlotFont
{
    /// <summary>A family name no system has, so ScottPlot's system resolver can never answer for it.</summary>
    public const string Family = "Recipes DejaVu Sans";

    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>The embedded typeface; never the system default.</summary>
    public static SKTypeface Typeface { get; } = Load();

    /// <summary>Makes <see cref="Family"/> resolvable by ScottPlot (idempotent, thread-safe).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            Fonts.FontResolvers.Insert(0, new Resolver());
            // Elements a chart does not name a font for (colour-bar labels, legends) use ScottPlot's defaults, which it
            // picks from the system's fonts: point them at the embedded one too. Only these charts use ScottPlot here.
            Fonts.Default = Family;
            Fonts.Sans = Family;
            _registered = true;
        }
    }

    private static SKTypeface Load()
    {
        using var stream = typeof(PlotFont).Assembly.GetManifestResourceStream("Recipes.Plotting.Plots.DejaVuSans.ttf")
            ?? throw new InvalidOperationException("The embedded chart font is missing from Recipes.Plotting.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        using var data = SKData.CreateCopy(copy.ToArray());
        return SKTypeface.FromData(data) ?? throw new InvalidOperationException("SkiaSharp could not read the embedded chart font.");
    }

    /// <summary>Answers only for <see cref="Family"/>, whatever the weight or slant (one face keeps the output stable).</summary>
    private sealed class Resolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
            fontName == Family ? Typeface : null;

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) => fontName == Family ? Typeface : null;
    }
}
