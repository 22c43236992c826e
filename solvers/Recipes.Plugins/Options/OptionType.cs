namespace Recipes.Plugins;

public enum OptionType
{
    String,
    Integer,
    Number,
    Boolean,
    StringList,
    NumberList,
    Mapping,
    Any,
}
