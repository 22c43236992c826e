namespace Recipes.Schema;

public enum ScalarKind
{
    String,
    Integer,
    Number,
    Boolean,
    Any,
}
