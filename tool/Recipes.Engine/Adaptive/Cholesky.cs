namespace Recipes.Adaptive;

/// <summary>Solves a symmetric positive definite system in place (the ridge regression's normal equations).</summary>
public static class Cholesky
{
    public static double[] Solve(double[,] matrix, double[] right)
    {
        var n = right.Length;
        var l = (double[,])matrix.Clone();
        for (var j = 0; j < n; j++)
        {
            var diagonal = l[j, j];
            for (var k = 0; k < j; k++) diagonal -= l[j, k] * l[j, k];
            if (diagonal <= 0) throw new InvalidOperationException("the normal equations are not positive definite");
            l[j, j] = Math.Sqrt(diagonal);
            for (var i = j + 1; i < n; i++)
            {
                var value = l[i, j];
                for (var k = 0; k < j; k++) value -= l[i, k] * l[j, k];
                l[i, j] = value / l[j, j];
            }
        }
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            var value = right[i];
            for (var k = 0; k < i; k++) value -= l[i, k] * y[k];
            y[i] = value / l[i, i];
        }
        var x = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var value = y[i];
            for (var k = i + 1; k < n; k++) value -= l[k, i] * x[k];
            x[i] = value / l[i, i];
        }
        return x;
    }
}
