using System.CommandLine;
using System.Globalization;
using Recipes.Bench;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Plugins;
using Recipes.Reporting;
using Spectre.Console;

namespace Recipes.Cli;

/// <summary>
/// <c>recipes bench RECIPE --fidelity PARAM=v1,v2,...</c>: time k variations at every fidelity level on every device,
/// and project the full sweep's time and cost before committing to it.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var recipe = CommonOptions.Recipe();
        var fidelity = new Option<string>("--fidelity") { Description = "PARAM=v1,v2,...: the parameter (or a setting path such as stages.simulate.spacing) that sets the fidelity, and its levels.", Required = true };
        var samples = new Option<int>("--samples") { Description = "Variations per level.", DefaultValueFactory = _ => 3 };
        var devices = new Option<string?>("--devices") { Description = "cpu, cuda, or cpu:THREADS, comma-separated (default: cpu:1 and cpu:all, and cuda when present)." };
        var workers = new Option<int>("--workers") { Description = "Workers the projection assumes.", DefaultValueFactory = _ => 1 };
        var price = new Option<double?>("--price-per-hour") { Description = "Price of one worker-hour, for the cost projection." };
        var cache = CommonOptions.Cache();
        var set = CommonOptions.Set();
        var json = CommonOptions.Json();
        var output = new Option<string?>("--out") { Description = "Root of outputs (default out/); bench.json and bench.png go to <out>/<recipe>/bench/." };
        var command = new Command("bench", "Measure time, memory and output size per sample at each fidelity level and device; project the full sweep.")
        {
            recipe, fidelity, samples, devices, workers, price, cache, set, json, output,
        };
        command.SetAction((parse, token) => RunAsync(parse.GetValue(recipe)!, parse.GetValue(fidelity)!, parse.GetValue(samples), parse.GetValue(devices),
            parse.GetValue(workers), parse.GetValue(price), parse.GetValue(cache), parse.GetValue(set) ?? [], parse.GetValue(json), parse.GetValue(output), token));
        return command;
    }

    public static IReadOnlyList<(string Device, int Threads)> ParseDevices(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            var defaults = new List<(string, int)> { ("cpu", 1) };
            if (Environment.ProcessorCount > 1) defaults.Add(("cpu", Environment.ProcessorCount));
            if (Solvers.Gpu.Devices.HasCuda) defaults.Add(("cuda", 1));
            return defaults;
        }
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            var pieces = part.Split(':');
            if (pieces[0] is not ("cpu" or "cuda")) throw new FormatException($"--devices: '{part}' is not cpu, cuda or cpu:THREADS");
            var threads = pieces.Length > 1 ? int.Parse(pieces[1], CultureInfo.InvariantCulture) : pieces[0] == "cpu" ? Environment.ProcessorCount : 1;
            return (pieces[0], Math.Max(1, threads));
        }).ToList();
    }

    private static async Task<int> RunAsync(string recipePath, string fidelity, int samples, string? devicesText, int workers, double? price,
        string? cacheOption, IReadOnlyList<string> sets, bool json, string? outRoot, CancellationToken token)
    {
        var eq = fidelity.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == fidelity.Length - 1)
        {
            Console.Error.WriteLine("error: --fidelity takes PARAM=v1,v2,... (e.g. --fidelity resolution=0.5,1)");
            return ExitCodes.InvalidRecipe;
        }
        IReadOnlyList<(string, int)> devices;
        try
        {
            devices = ParseDevices(devicesText);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return ExitCodes.InvalidRecipe;
        }
        if (devices.Any(d => d.Item1 == "cuda") && !Solvers.Gpu.Devices.HasCuda)
        {
            Console.Error.WriteLine("warning: no CUDA device here; cuda is left out");
            devices = devices.Where(d => d.Item1 != "cuda").ToList();
        }
        var parameter = fidelity[..eq];
        var levels = fidelity[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var request = new BenchRequest(recipePath, sets, parameter, levels, Math.Max(1, samples), devices, cacheOption, Math.Max(1, workers), price);
        IReadOnlyList<BenchMeasurement> measurements;
        RecipeSession session;
        try
        {
            session = RecipeSession.Open(recipePath, sets, cacheOption);
            measurements = await new BenchRunner(line => Console.Error.WriteLine(line)).RunAsync(request, token);
        }
        catch (RecipeException e)
        {
            return RecipeSession.Report(e);
        }
        catch (PluginException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return ExitCodes.NodeFailed;
        }
        var rows = BenchRow.Summarize(measurements, session.Recipe.Space.Count, request.Workers, price);
        var directory = Path.Combine(Path.GetFullPath(outRoot ?? session.Project.DefaultOutput), session.Recipe.Name, "bench");
        Directory.CreateDirectory(directory);
        var document = BenchRow.ToJson(session.Recipe.Name, parameter, rows);
        BenchRow.Save(directory, document);
        BenchRow.Plot(Path.Combine(directory, "bench.png"), parameter, rows);

        if (json)
        {
            Console.Out.WriteLine(JsonEventReporter.Serialize(document));
            return ExitCodes.Success;
        }
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns(parameter, "device", "runs", "s/sample", "peak MiB", "output KiB", "start-up s", "1st-run extra s", "sweep wall", "machine h", "cost");
        foreach (var r in rows)
            table.AddRow(r.Level, $"{r.Device}:{r.Threads}", r.Runs.ToString(CultureInfo.InvariantCulture), r.SecondsPerSample.ToString("0.000", CultureInfo.InvariantCulture),
                (r.PeakBytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture), (r.OutputBytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture),
                r.StartupSeconds?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-", r.FirstRunExtraSeconds?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-",
                TimeSpan.FromSeconds(r.Projection.WallSeconds).ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture),
                r.Projection.MachineHours.ToString("0.000", CultureInfo.InvariantCulture),
                r.Projection.Cost is { } c ? c.ToString("0.####", CultureInfo.InvariantCulture) : "-");
        Terminal.Out.Write(table);
        Console.Out.WriteLine($"projection: all {session.Recipe.Space.Count} samples on {request.Workers} worker(s), one sample per worker at a time{(price is null ? "" : $", {price.Value.ToString(CultureInfo.InvariantCulture)} per worker-hour")}");
        Console.Out.WriteLine($"wrote {DisplayPath.Of(Path.Combine(directory, "bench.json"))} and bench.png");
        return ExitCodes.Success;
    }
}
