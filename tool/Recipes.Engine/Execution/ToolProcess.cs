using System.Diagnostics;

namespace Recipes.Execution;

/// <summary>How to start this very tool again in another process (benchmark children, cluster tasks).</summary>
public static class ToolProcess
{
    public static ProcessStartInfo StartInfo()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        // Under `dotnet recipes.dll` (tests, dotnet run) the host is dotnet itself and needs the assembly.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(ToolProcess).Assembly.Location);
        return start;
    }
}
