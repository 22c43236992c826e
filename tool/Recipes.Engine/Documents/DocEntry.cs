namespace Recipes.Documents;

public sealed record DocEntry(DocScalar Key, DocNode Value)
{
    public string Name => Key.Text;
}
