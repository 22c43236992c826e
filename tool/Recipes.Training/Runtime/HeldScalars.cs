using TorchSharp;
using static TorchSharp.torch;

namespace Recipes.Training;

/// <summary>
/// Numbers for libtorch as <see cref="Scalar"/>s that live until this is disposed. TorchSharp 0.107 turns every number it
/// is given into a Scalar that nothing references once the native call has its handle: <c>x * 0.5</c>,
/// <c>clamp(-1, 1)</c>, even the alpha 1 that <c>Tensor + Tensor</c> passes. A garbage collection on another thread
/// during the call can finalize it, and libtorch then reads freed memory: "Unknown scalar type", another Scalar's value
/// or type, or an uncaught c10::Error that kills the process. Code that computes with numbers takes them from here in a
/// <c>using</c> that outlasts the calls, and adds with <see cref="Sum"/>, <see cref="Plus(Tensor, int)"/> and
/// <see cref="Minus(int, Tensor)"/>, which make the native calls TorchSharp's operators make, with the same Scalar
/// types, so results keep their bits.
/// </summary>
public sealed class HeldScalars : IDisposable
{
    /// <summary>The alpha TorchSharp's additions pass (an int 1), made once and never freed.</summary>
    public static readonly Scalar One = 1.ToScalar();

    private readonly List<Scalar> _held = [];

    public Scalar this[int value] => Hold(value.ToScalar());

    public Scalar this[long value] => Hold(value.ToScalar());

    public Scalar this[float value] => Hold(value.ToScalar());

    public Scalar this[double value] => Hold(value.ToScalar());

    /// <summary><c>a + b</c>.</summary>
    public static Tensor Sum(Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>t + value</c> (or <c>value + t</c>).</summary>
    public Tensor Plus(Tensor t, int value) => t.add(this[value], One);

    /// <inheritdoc cref="Plus(Tensor, int)"/>
    public Tensor Plus(Tensor t, long value) => t.add(this[value], One);

    /// <inheritdoc cref="Plus(Tensor, int)"/>
    public Tensor Plus(Tensor t, double value) => t.add(this[value], One);

    /// <summary><c>value - t</c>, computed as TorchSharp's operator does: −t + value.</summary>
    public Tensor Minus(int value, Tensor t)
    {
        using var negative = t.negative();
        return negative.add(this[value], One);
    }

    /// <inheritdoc cref="Minus(int, Tensor)"/>
    public Tensor Minus(double value, Tensor t)
    {
        using var negative = t.negative();
        return negative.add(this[value], One);
    }

    public void Dispose()
    {
        foreach (var scalar in _held) scalar.Dispose();
        _held.Clear();
    }

    private Scalar Hold(Scalar scalar)
    {
        _held.Add(scalar);
        return scalar;
    }
}
