using System.Globalization;

namespace Recipes.Execution;

/// <summary>
/// Resident memory of a process and all its descendants (an external simulator is a grandchild of the tool), read from
/// Linux's <c>/proc</c>: children from <c>/proc/PID/task/TID/children</c>, sizes from <c>/proc/PID/status</c>. Run
/// records and <c>bench</c> both sample it. Elsewhere it reads 0 and callers fall back to their own process.
/// </summary>
public static class ProcessTree
{
    /// <summary>The sum of VmRSS over <paramref name="root"/> and its descendants, in bytes.</summary>
    public static long ResidentBytes(int root)
    {
        long total = 0;
        foreach (var pid in Members(root)) total += StatusKilobytes(pid, "VmRSS:") * 1024;
        return total;
    }

    /// <summary>The process's own high-water mark (VmHWM), in bytes: the floor for work shorter than one sample.</summary>
    public static long HighWaterBytes(int pid) => StatusKilobytes(pid, "VmHWM:") * 1024;

    /// <summary>Resets the process's high-water mark (<c>/proc/PID/clear_refs</c>), where the kernel allows it.</summary>
    public static void ResetHighWater(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static IEnumerable<int> Members(int root)
    {
        var pending = new Stack<int>([root]);
        while (pending.Count > 0)
        {
            var pid = pending.Pop();
            yield return pid;
            string[] tasks;
            try
            {
                tasks = Directory.GetDirectories($"/proc/{pid}/task");
            }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            foreach (var task in tasks)
            {
                string children;
                try
                {
                    children = File.ReadAllText(Path.Combine(task, "children"));
                }
                catch (IOException) { continue; }
                catch (UnauthorizedAccessException) { continue; }
                foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    if (int.TryParse(child, NumberStyles.Integer, CultureInfo.InvariantCulture, out var c)) pending.Push(c);
            }
        }
    }

    private static long StatusKilobytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }
}
