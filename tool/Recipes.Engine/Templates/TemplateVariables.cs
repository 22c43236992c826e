using Scriban;
using Scriban.Functions;
using Scriban.Parsing;
using Scriban.Syntax;

namespace Recipes.Templates;

/// <summary>
/// The global variables a template reads, found in its syntax tree rather than by rendering it, so a variable used
/// only in a branch the first sample does not take is still checked by <c>validate</c>. Names the template assigns
/// itself, loop variables, functions it defines (whose bodies are not scanned) and Scriban's built-in objects (math,
/// string, ...) are not counted.
/// </summary>
public static class TemplateVariables
{
    private static readonly HashSet<string> Builtins = new(new BuiltinFunctions().Keys, StringComparer.Ordinal);

    /// <summary>Each variable read but never defined by the template, with the span of its first use.</summary>
    public static IReadOnlyList<(string Name, SourceSpan Span)> Undefined(Template template, IReadOnlySet<string> known)
    {
        var visitor = new Collector();
        visitor.Visit(template.Page);
        return visitor.Reads
            .Where(r => !known.Contains(r.Name) && !visitor.Defined.Contains(r.Name) && !Builtins.Contains(r.Name))
            .GroupBy(r => r.Name, StringComparer.Ordinal)
            .Select(g => g.First())
            .ToList();
    }

    private sealed class Collector : ScriptVisitor
    {
        public List<(string Name, SourceSpan Span)> Reads { get; } = [];
        public HashSet<string> Defined { get; } = new(StringComparer.Ordinal);

        public override void Visit(ScriptVariableGlobal node)
        {
            Reads.Add((node.Name, node.Span));
            base.Visit(node);
        }

        /// <summary>In <c>math.round</c> only the target is a variable; the member is a name inside it.</summary>
        public override void Visit(ScriptMemberExpression node) => Visit(node.Target);

        /// <summary>A function the template defines: its name is defined; its body reads its own parameters, so it is not scanned.</summary>
        public override void Visit(ScriptFunction node)
        {
            if (node.NameOrDoToken is ScriptVariable name) Defined.Add(name.Name);
        }

        public override void Visit(ScriptAssignExpression node)
        {
            if (node.Target is ScriptVariable target) Defined.Add(target.Name);
            base.Visit(node);
        }

        public override void Visit(ScriptForStatement node)
        {
            if (node.Variable is ScriptVariable loop) Defined.Add(loop.Name);
            base.Visit(node);
        }
    }
}
