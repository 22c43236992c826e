using System.Text.Json.Nodes;
using Recipes.Plugins;

namespace Recipes.Schema;

/// <summary>Turns a plugin's <see cref="OptionSpec"/>s into schema nodes.</summary>
public static class OptionSchemas
{
    public static SchemaNode For(OptionSpec option)
    {
        var description = option.Description + (option.Default is null ? "" : $" Default: {option.Default.ToJsonString()}.");
        return option.Type switch
        {
            OptionType.String => new ScalarSchema(ScalarKind.String) { Description = description, Enum = option.AllowedValues },
            OptionType.Integer => new ScalarSchema(ScalarKind.Integer) { Description = description, Minimum = option.Minimum, Maximum = option.Maximum },
            OptionType.Number => new ScalarSchema(ScalarKind.Number) { Description = description, Minimum = option.Minimum, Maximum = option.Maximum },
            OptionType.Boolean => new ScalarSchema(ScalarKind.Boolean) { Description = description },
            OptionType.StringList => new ChoiceSchema(
                scalar: new ScalarSchema(ScalarKind.String),
                // A required list (exec's command and outputs) that is empty says nothing: at least one item.
                list: new ListSchema(new ScalarSchema(ScalarKind.String)) { MinItems = option.Required ? 1 : 0 }) { Description = description },
            OptionType.NumberList => new ListSchema(new ScalarSchema(ScalarKind.Number)) { Description = description },
            OptionType.Mapping => new MappingSchema { Values = new AnySchema(), Description = description },
            _ => new AnySchema { Description = description },
        };
    }

    public static JsonObject JsonFor(OptionSpec option)
    {
        var schema = For(option).ToJsonSchema();
        if (option.Default is not null) schema["default"] = option.Default.DeepClone();
        return schema;
    }
}
