namespace RecipeConsumer;

/// <summary>Reads the table the recipe built into the output directory.</summary>
public static class Table
{
    public static string[] Rows(string directory) => File.ReadAllLines(Path.Combine(directory, "recipe-data", "consumer-sweep", "dataset", "shard-0000.csv"));
}
