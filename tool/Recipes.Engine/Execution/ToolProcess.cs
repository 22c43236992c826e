using System.Diagnostics;

namespace Recipes.Execution;

/// <summary>How to start this very tool again in another process (benchmark children, cluster tasks).</summary>
public static class ToolProcess
{
    /// <summary>The CLI's assembly; it ships beside the engine (the tool package, a build's output, a test's output).</summary>
    public const string AssemblyFile = "recipes.dll";

    public static ProcessStartInfo StartInfo()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        // Under `dotnet recipes.dll` (tests, dotnet run) the host is dotnet itself and needs the CLI's assembly.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            start.ArgumentList.Add(Path.Combine(Path.GetDirectoryName(typeof(ToolProcess).Assembly.Location) ?? AppContext.BaseDirectory, AssemblyFile));
        return start;
    }
}
