using System.CommandLine;
using System.Diagnostics;
using Recipes.Execution;
using Recipes.Training;

namespace Recipes.Cli;

/// <summary>
/// <c>recipes setup torch</c>: restores libtorch into the NuGet packages folder for an installed tool, which does not
/// bundle it. It restores a throw-away project that references the package, through the user's own NuGet sources.
/// </summary>
public static class SetupCommand
{
    public static Command Create()
    {
        var what = new Argument<string>("component") { Description = "torch: restore libtorch for training stages." };
        what.AcceptOnlyFromAmong("torch");
        var command = new Command("setup", "Fetch optional native components (libtorch for training) into the NuGet cache.") { what };
        command.SetAction(_ => SetupTorch());
        return command;
    }

    private static int SetupTorch()
    {
        var target = TorchRuntime.PackagedLibTorchDirectory();
        if (File.Exists(Path.Combine(target, "libtorch_cpu.so")))
        {
            Console.Out.WriteLine($"libtorch {TorchRuntime.LibTorchVersion} is already in {target}");
            return ExitCodes.Success;
        }
        var project = Path.Combine(Path.GetTempPath(), "recipes-setup-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(project);
        try
        {
            File.WriteAllText(Path.Combine(project, "setup.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
                  <ItemGroup><PackageReference Include="{TorchRuntime.LibTorchPackage}" Version="{TorchRuntime.LibTorchVersion}" /></ItemGroup>
                </Project>
                """);
            Console.Out.WriteLine($"restoring {TorchRuntime.LibTorchPackage} {TorchRuntime.LibTorchVersion} (about 600 MB) ...");
            using var restore = Process.Start(new ProcessStartInfo("dotnet", ["restore", project]) { UseShellExecute = false })!;
            restore.WaitForExit();
            if (restore.ExitCode != 0 || !File.Exists(Path.Combine(target, "libtorch_cpu.so")))
            {
                Console.Error.WriteLine($"error: the restore did not produce {target}; check your NuGet sources");
                return ExitCodes.NodeFailed;
            }
            Console.Out.WriteLine($"libtorch is in {target}");
            return ExitCodes.Success;
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }
}
