namespace Recipes.Schema;

public static class SchemaExtensions
{
    public static ListSchema WithDescription(this ListSchema list, string description) =>
        new(list.Items) { MinItems = list.MinItems, MaxItems = list.MaxItems, Description = description };
}
