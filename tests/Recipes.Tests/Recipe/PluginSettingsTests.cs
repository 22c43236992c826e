using System.Reflection;
using Recipes.Cli;
using Recipes.Plugins;

namespace Recipes.Tests.Recipe;

/// <summary>
/// Every setting with a default is declared once as a typed <see cref="Setting{T}"/> that the plug-in reads, so the
/// default the schema documents and the one the plug-in uses are the same object and cannot drift.
/// </summary>
public sealed class PluginSettingsTests
{
    public static TheoryData<string> Plugins()
    {
        var data = new TheoryData<string>();
        foreach (var plugin in BuiltinPlugins.Create().All) data.Add($"{plugin.Stage}/{plugin.Name}");
        return data;
    }

    [Theory]
    [MemberData(nameof(Plugins))]
    public void EverySettingWithADefaultIsATypedHandle(string id)
    {
        var plugin = BuiltinPlugins.Create().All.Single(p => $"{p.Stage}/{p.Name}" == id);
        var declared = DeclaredSettings(plugin);
        var untyped = plugin.Options.Where(o => o.Default is not null && !declared.Any(s => ReferenceEquals(s, o))).Select(o => o.Name).ToList();
        Assert.True(untyped.Count == 0, $"{id} declares {string.Join(", ", untyped)} as a bare OptionSpec with a default; declare a Setting<T> and read it");
        Assert.Equal(plugin.Options.Count, plugin.Options.Select(o => o.Name).Distinct().Count());
    }

    [Fact]
    public void ASettingReadsItsDefaultWhenTheRecipeLeavesItOutAndTheValueWhenItIsSet()
    {
        var rate = Settings.Number("rate", "r", 0.5, min: 0);
        Assert.Equal(0.5, rate.Read(ValueMap.Empty));
        Assert.Equal(2.0, rate.Read(ValueMap.Empty.With("rate", 2.0)));
        Assert.Equal(0.5, ((OptionSpec)rate).Default!.GetValue<double>());
        var centres = Settings.Numbers("centres", "c", 0.2, 0.8);
        Assert.Equal([0.2, 0.8], centres.Read(ValueMap.Empty));
        Assert.Equal("[0.2,0.8]", centres.Spec.Default!.ToJsonString());
        var wrong = Assert.Throws<PluginException>(() => Settings.Int("n", "n", 1).Read(ValueMap.Empty.With("n", "many")));
        Assert.Contains("'n' should be an integer", wrong.Message, StringComparison.Ordinal);
    }

    /// <summary>The specs of every <see cref="Setting{T}"/> field or property of the plug-in's type and its bases, and of its setting groups.</summary>
    private static List<OptionSpec> DeclaredSettings(IStagePlugin plugin)
    {
        var specs = new List<OptionSpec>();
        const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        for (var type = plugin.GetType(); type is not null; type = type.BaseType)
        {
            var values = type.GetFields(flags).Where(f => IsSetting(f.FieldType)).Select(f => f.GetValue(f.IsStatic ? null : plugin))
                .Concat(type.GetProperties(flags).Where(p => IsSetting(p.PropertyType) && p.GetIndexParameters().Length == 0)
                    .Select(p => p.GetValue(p.GetMethod!.IsStatic ? null : plugin)));
            foreach (var value in values)
                if (value?.GetType().GetProperty(nameof(Setting<int>.Spec))?.GetValue(value) is OptionSpec spec) specs.Add(spec);
            // Groups of shared settings (a denoiser's, an autoencoder's) are declared the same way inside the group.
            foreach (var group in type.GetFields(flags).Where(f => typeof(ISettingGroup).IsAssignableFrom(f.FieldType)).Select(f => f.GetValue(f.IsStatic ? null : plugin)))
                if (group is not null)
                    foreach (var property in group.GetType().GetProperties().Where(p => IsSetting(p.PropertyType)))
                        if (property.PropertyType.GetProperty(nameof(Setting<int>.Spec))!.GetValue(property.GetValue(group)) is OptionSpec spec) specs.Add(spec);
        }
        return specs;
    }

    private static bool IsSetting(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Setting<>);
}
