using Recipes.Hashing;

namespace Recipes.Engine.Tests.Hashing;

/// <summary>Keys hash specs member by member; the bytes must be those of the spec's canonical text, or every cache goes stale.</summary>
public sealed class KeyBuilderTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("ünïcødé ✓ \"quoted\" back\\slash")]
    [InlineData("")]
    public void AnObjectHashedByMembersEqualsItsCanonicalText(string text)
    {
        var members = new List<KeyValuePair<string, string>>
        {
            new("params", CanonicalJson.ObjectOf([new("x", "0.5"), new("name", CanonicalJson.String(text))])),
            new("plugin", CanonicalJson.String("heat2d")),
            new("stage", CanonicalJson.String("simulate")),
            new("wörd", "[1,2,3]"),
        };
        members.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var byText = new KeyBuilder().Add("format", "1").Add("spec", CanonicalJson.ObjectOf(members)).Build();
        var byMembers = new KeyBuilder().Add("format", "1").AddObject("spec", members).Build();
        Assert.Equal(byText, byMembers);
        Assert.Equal(32, byMembers.Length);
    }

    [Fact]
    public void AnEmptyObjectHashesAsBraces() =>
        Assert.Equal(new KeyBuilder().Add("spec", "{}").Build(), new KeyBuilder().AddObject("spec", []).Build());

    [Fact]
    public void AResetBuilderHashesAsANewOne()
    {
        var reused = new KeyBuilder().Add("a", "1");
        reused.Build();
        Assert.Equal(new KeyBuilder().Add("b", "2").Build(), reused.Reset().Add("b", "2").Build());
    }

    [Fact]
    public void LabelsAndValuesAreFramedSoShiftingTextBetweenThemChangesTheKey() =>
        Assert.NotEqual(new KeyBuilder().Add("ab", "c").Build(), new KeyBuilder().Add("a", "bc").Build());
}
