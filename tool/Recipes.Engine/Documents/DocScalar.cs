using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recipes.Diagnostics;

namespace Recipes.Documents;

/// <summary>A scalar, typed by the YAML 1.2 core schema unless it was quoted.</summary>
public sealed partial class DocScalar : DocNode
{
    public DocScalar(SourceLocation location, string text, bool quoted) : base(location)
    {
        Text = text;
        Quoted = quoted;
    }

    public string Text { get; }
    public bool Quoted { get; }

    public override string KindName => Value switch
    {
        null => "null",
        JsonValue v when v.TryGetValue(out long _) => "integer",
        JsonValue v when v.TryGetValue(out double _) => "number",
        JsonValue v when v.TryGetValue(out bool _) => "boolean",
        _ => "string",
    };

    public bool IsNull => !Quoted && Text is "" or "~" or "null" or "Null" or "NULL";

    /// <summary>The typed value: long, double, bool, string, or null.</summary>
    public JsonNode? Value
    {
        get
        {
            if (Quoted) return JsonValue.Create(Text);
            if (IsNull) return null;
            if (Text is "true" or "True" or "TRUE") return JsonValue.Create(true);
            if (Text is "false" or "False" or "FALSE") return JsonValue.Create(false);
            if (IntPattern().IsMatch(Text) && long.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                return JsonValue.Create(l);
            if (Text.StartsWith("0x", StringComparison.Ordinal) &&
                long.TryParse(Text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
                return JsonValue.Create(hex);
            if (FloatPattern().IsMatch(Text) && double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                return JsonValue.Create(d);
            return Text switch
            {
                ".inf" or ".Inf" or ".INF" or "+.inf" => JsonValue.Create(double.PositiveInfinity),
                "-.inf" or "-.Inf" or "-.INF" => JsonValue.Create(double.NegativeInfinity),
                ".nan" or ".NaN" or ".NAN" => JsonValue.Create(double.NaN),
                _ => JsonValue.Create(Text),
            };
        }
    }

    public bool TryGetDouble(out double value)
    {
        value = 0;
        if (Value is not JsonValue v) return false;
        if (v.TryGetValue(out long l)) { value = l; return true; }
        return v.TryGetValue(out value);
    }

    public bool TryGetLong(out long value)
    {
        value = 0;
        return Value is JsonValue v && v.TryGetValue(out value);
    }

    public override DocNode Clone() => new DocScalar(Location, Text, Quoted);

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
