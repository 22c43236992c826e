using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recipes.Cache;
using Recipes.Configuration;
using Recipes.Diagnostics;
using Recipes.Execution;
using Recipes.Reporting;

namespace Recipes.Cli;

/// <summary><c>recipes cache gc|verify</c>: keep the store healthy and bounded.</summary>
public static partial class CacheCommand
{
    public static Command Create()
    {
        var command = new Command("cache", "Inspect and maintain the cache.");
        command.Subcommands.Add(Verify());
        command.Subcommands.Add(Gc());
        command.Subcommands.Add(Key());
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Import());
        return command;
    }

    private static Command Key()
    {
        var recipe = CommonOptions.Recipe();
        var set = CommonOptions.Set();
        var command = new Command("key", "Print a key over the recipe's whole plan (every action key's inputs), for CI caches keyed by content.") { recipe, set };
        command.SetAction(parse =>
        {
            try
            {
                var session = RecipeSession.Open(parse.GetValue(recipe)!, parse.GetValue(set) ?? [], null);
                Console.Out.WriteLine(PlanKey.Compute(session.Graph));
                return ExitCodes.Success;
            }
            catch (RecipeException e)
            {
                return RecipeSession.Report(e);
            }
        });
        return command;
    }

    private static Command Export()
    {
        var recipe = CommonOptions.Recipe();
        var file = new Argument<string>("file") { Description = "The archive to write (zip)." };
        var cache = CommonOptions.Cache();
        var set = CommonOptions.Set();
        var command = new Command("export", "Write the cache entries a recipe needs (entries, outputs, logs, sources) into one archive.") { recipe, file, cache, set };
        command.SetAction(parse =>
        {
            RecipeSession session;
            try
            {
                session = RecipeSession.Open(parse.GetValue(recipe)!, parse.GetValue(set) ?? [], parse.GetValue(cache));
            }
            catch (RecipeException e)
            {
                return RecipeSession.Report(e);
            }
            var states = new CacheScan(session.Cache).Probe(session.Graph);
            var report = CacheBundle.Export(session.Graph, states, session.Cache, parse.GetValue(file)!);
            Console.Out.WriteLine($"exported {report.Entries} entries and {report.Blobs} blobs ({Human(report.Bytes)}) to {parse.GetValue(file)}");
            if (report.NotBuilt > 0) Console.Error.WriteLine($"warning: {report.NotBuilt} nodes are not built and were left out; run 'recipes build' first");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Import()
    {
        var file = new Argument<string>("file") { Description = "An archive written by 'recipes cache export'." };
        var cache = CommonOptions.Cache();
        var command = new Command("import", "Verify an exported archive and add its entries to the cache.") { file, cache };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine(Escaping.TerminalText.Clean($"error: {path} not found"));
                return ExitCodes.InvalidRecipe;
            }
            // A pipe or a device named as the bundle would block the zip reader (it opens and seeks): refused unopened.
            if (Plugins.Files.RegularFile.Problem(path, long.MaxValue) is { } notAFile)
            {
                Console.Error.WriteLine(Escaping.TerminalText.Clean($"error: {path}: {notAFile}"));
                return ExitCodes.InvalidRecipe;
            }
            CacheBundle.ImportReport report;
            try
            {
                report = CacheBundle.Import(path, new CacheStore(CacheLocation.Resolve(parse.GetValue(cache), ProjectRoot.Find(null))));
            }
            catch (InvalidDataException e)
            {
                // A file the user named that is not a bundle: bad input, exit 2 like any refused file.
                Console.Error.WriteLine(Escaping.TerminalText.Clean($"error: {path} is not a readable archive: {e.Message}"));
                return ExitCodes.InvalidRecipe;
            }
            foreach (var problem in report.Problems) Console.Error.WriteLine("error: " + Escaping.TerminalText.Clean(problem));
            if (report.Problems.Count > 0)
            {
                Console.Error.WriteLine("nothing was imported");
                return ExitCodes.NodeFailed;
            }
            Console.Out.WriteLine($"imported {report.Entries} entries and {report.Blobs} blobs");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Verify()
    {
        var cache = CommonOptions.Cache();
        var repair = new Option<bool>("--repair") { Description = "Delete corrupt blobs, unusable entries and leftovers of killed builds." };
        var json = CommonOptions.Json();
        var command = new Command("verify", "Re-hash every blob and check every action entry.") { cache, repair, json };
        command.SetAction(parse =>
        {
            var store = new CacheStore(CacheLocation.Resolve(parse.GetValue(cache), ProjectRoot.Find(null)));
            var report = CacheVerifier.Verify(store, parse.GetValue(repair));
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonEventReporter.Serialize(new JsonObject
                {
                    ["blobs"] = report.BlobsChecked,
                    ["entries"] = report.EntriesChecked,
                    ["corrupt_blobs"] = new JsonArray(report.CorruptBlobs.Select(b => (JsonNode?)JsonValue.Create(b)).ToArray()),
                    ["unreadable_entries"] = new JsonArray(report.UnreadableEntries.Select(b => (JsonNode?)JsonValue.Create(b)).ToArray()),
                    ["incomplete_entries"] = new JsonArray(report.IncompleteEntries.Select(b => (JsonNode?)JsonValue.Create(b)).ToArray()),
                    ["temp_leftovers"] = report.TempLeftovers,
                    ["repaired"] = report.Repaired,
                    ["clean"] = report.Clean,
                }));
            }
            else
            {
                Console.Out.WriteLine($"checked {report.BlobsChecked} blobs and {report.EntriesChecked} entries");
                foreach (var b in report.CorruptBlobs) Console.Out.WriteLine($"corrupt blob {b}");
                foreach (var e in report.UnreadableEntries) Console.Out.WriteLine($"unreadable entry {e}");
                foreach (var e in report.IncompleteEntries) Console.Out.WriteLine($"entry {e} refers to a missing or corrupt blob");
                if (report.TempLeftovers > 0) Console.Out.WriteLine($"{report.TempLeftovers} leftovers of interrupted builds{(report.Repaired ? " removed" : "")}");
                Console.Out.WriteLine(report.Clean ? "cache is clean" : report.Repaired ? "repaired: the next build recomputes what was removed" : "run 'recipes cache verify --repair' to remove them");
            }
            return report.Clean || report.Repaired ? ExitCodes.Success : ExitCodes.NodeFailed;
        });
        return command;
    }

    private static Command Gc()
    {
        var recipes = new Argument<string[]>("recipes") { Description = "Recipes whose current results must be kept.", Arity = ArgumentArity.ZeroOrMore };
        var cache = CommonOptions.Cache();
        var maxSize = new Option<string?>("--max-size") { Description = "Trim least recently used results until the cache holds at most this much (e.g. 20GB, 500MB)." };
        var maxAge = new Option<string?>("--max-age") { Description = "Drop results not used for this long (e.g. 30d, 12h)." };
        var grace = new Option<string>("--grace") { Description = "Never touch anything written more recently than this (protects running builds).", DefaultValueFactory = _ => "10m" };
        var keepRuns = new Option<int?>("--keep-runs") { Description = $"Keep the newest this many run records (default: {Runs.RunStore.DefaultKeep}); --max-age also drops older ones." }.AtLeast(0, int.MaxValue);
        var command = new Command("gc", "Remove cache entries the given recipes no longer reference, and/or trim by size and age (least recently used first).")
        {
            recipes, cache, maxSize, maxAge, grace, keepRuns,
        };
        command.SetAction(parse =>
        {
            var names = parse.GetValue(recipes) ?? [];
            var sizeText = parse.GetValue(maxSize);
            var ageText = parse.GetValue(maxAge);
            var keepRunsValue = parse.GetValue(keepRuns);
            if (names.Length == 0 && sizeText is null && ageText is null && keepRunsValue is null)
            {
                Console.Error.WriteLine("error: name the recipes to keep, or give --max-size, --max-age or --keep-runs");
                return ExitCodes.InvalidRecipe;
            }
            long? bytes = null;
            TimeSpan? age = null;
            TimeSpan graceSpan;
            try
            {
                if (sizeText is not null) bytes = ParseSize(sizeText);
                if (ageText is not null) age = ParseDuration(ageText);
                graceSpan = ParseDuration(parse.GetValue(grace)!);
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine("error: " + e.Message);
                return ExitCodes.InvalidRecipe;
            }
            // With recipes named, the cache is theirs (the first one's project); without, the working directory's project.
            var store = new CacheStore(CacheLocation.Resolve(parse.GetValue(cache), ProjectRoot.Find(names.FirstOrDefault())));
            HashSet<string>? keys = null;
            var blobs = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                RecipeSession session;
                try
                {
                    session = RecipeSession.Open(name, [], parse.GetValue(cache));
                }
                catch (RecipeException e)
                {
                    return RecipeSession.Report(e);
                }
                var states = new CacheScan(session.Cache).Probe(session.Graph);
                keys ??= new HashSet<string>(StringComparer.Ordinal);
                foreach (var node in session.Graph.Nodes)
                {
                    if (states.HashOf(node.Index) is { } key) keys.Add(key);
                    foreach (var file in node.Files) blobs.Add(file.Hash);
                }
            }
            // Run records are bounded on every gc: they are small, but one per build adds up on a CI machine.
            var runsRemoved = new Runs.RunStore(store.Root).Trim(keepRunsValue ?? Runs.RunStore.DefaultKeep, age, DateTime.UtcNow);
            if (names.Length > 0 || sizeText is not null || ageText is not null)
            {
                var report = CacheCollector.Collect(store, keys, blobs, age, bytes, graceSpan, DateTime.UtcNow);
                Console.Out.WriteLine($"kept {report.EntriesKept} entries and {report.BlobsKept} blobs ({Human(report.BytesKept)}); removed {report.EntriesDeleted} entries and {report.BlobsDeleted} blobs ({Human(report.BytesFreed)})");
            }
            if (runsRemoved > 0 || keepRunsValue is not null) Console.Out.WriteLine($"removed {runsRemoved} run record{(runsRemoved == 1 ? "" : "s")}");
            return ExitCodes.Success;
        });
        return command;
    }

    public static long ParseSize(string text)
    {
        var match = SizePattern().Match(text.Trim());
        if (!match.Success) throw new FormatException($"'{text}' is not a size; write e.g. 500MB or 20GB");
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value.ToUpperInvariant();
        var scale = unit switch { "" or "B" => 1L, "K" or "KB" => 1L << 10, "M" or "MB" => 1L << 20, "G" or "GB" => 1L << 30, _ => 1L << 40 };
        return (long)(value * scale);
    }

    public static TimeSpan ParseDuration(string text)
    {
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success) throw new FormatException($"'{text}' is not a duration; write e.g. 30d, 12h, 10m or 0");
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "d" => TimeSpan.FromDays(value),
            "h" => TimeSpan.FromHours(value),
            "m" => TimeSpan.FromMinutes(value),
            _ => TimeSpan.FromSeconds(value),
        };
    }

    private static string Human(long bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.0} GiB" : bytes >= 1L << 20 ? $"{bytes / (double)(1L << 20):0.0} MiB" : $"{bytes / 1024.0:0.0} KiB";

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?B?)$", RegexOptions.IgnoreCase)]
    private static partial Regex SizePattern();

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*([dhms]?)$")]
    private static partial Regex DurationPattern();
}
