using System.Collections.Concurrent;
using Recipes.Diagnostics;
using Recipes.Plugins;
using Recipes.Templates;
using Scriban;

namespace Recipes.Stages.Render;

/// <summary>
/// Renders the base case for one sample: files listed as templates are rendered with Scriban (the <c>.sbn</c> suffix is
/// dropped), the others are copied unchanged. Parameters are the template's variables.
/// </summary>
public sealed class ScribanRenderStage : StagePlugin
{
    private static readonly ConcurrentDictionary<string, Template> Parsed = new(StringComparer.Ordinal);

    public override string Name => "scriban";
    public override string Stage => StageNames.Render;
    public override int Version => 1;
    public override string Summary => "Render base-case templates with Scriban; copy the other files.";

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var templates = context.Settings.GetStrings("templates", []).ToHashSet(StringComparer.Ordinal);
        foreach (var file in context.InputFiles)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!templates.Contains(file.Name))
            {
                File.Copy(file.Path, context.OutputPath(file.Name));
                continue;
            }
            var template = Parsed.GetOrAdd(file.Hash + file.Path, _ =>
            {
                var diagnostics = new DiagnosticBag();
                var parsed = TemplateRenderer.Parse(File.ReadAllText(file.Path), DisplayPath.Of(file.Path), diagnostics);
                if (diagnostics.HasErrors) throw new PluginException(diagnostics.Errors.First().ToString());
                return parsed;
            });
            var name = file.Name.EndsWith(".sbn", StringComparison.Ordinal) ? file.Name[..^4] : file.Name;
            string text;
            try
            {
                text = TemplateRenderer.Render(template, context.Parameters, DisplayPath.Of(file.Path));
            }
            catch (TemplateException e)
            {
                throw new PluginException(e.Message, e);
            }
            File.WriteAllText(context.OutputPath(name), text);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(context.OutputPath(name), File.GetUnixFileMode(file.Path));
        }
        return Task.CompletedTask;
    }
}
