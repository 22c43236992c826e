using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Hashing;

namespace Recipes.Engine.Tests.Hashing;

public sealed class CanonicalJsonTests
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void EveryStringIsWrittenAsTheSerializerWritesIt()
    {
        // The short way for printable ASCII must give the serializer's bytes, or keys of existing caches would move.
        var texts = new List<string> { "", "a", "plain words", "<&>'+`", "quote\"d", "back\\slash", "tab\tand\nnewline", "\u007f", "é", "日本", "\u2028" };
        texts.AddRange(Enumerable.Range(0, 128).Select(c => $"x{(char)c}y"));
        foreach (var text in texts)
            Assert.Equal(JsonSerializer.Serialize(text, Relaxed), CanonicalJson.String(text));
        Assert.Equal("{\"a\":\"x<y\",\"b\":\"q\\\"\"}",
            CanonicalJson.ObjectOfSorted([new("a", JsonValue.Create("x<y")), new("b", JsonValue.Create("q\""))]));
    }

    [Fact]
    public void ObjectsWrittenOneAfterAnotherOnOneThreadShareNothing()
    {
        var first = CanonicalJson.ObjectOfSorted([new("x", JsonValue.Create(0.25)), new("y", JsonValue.Create("long value " + new string('v', 500)))]);
        var second = CanonicalJson.ObjectOfSorted([new("n", JsonValue.Create(3))]);
        Assert.Equal("{\"x\":0.25,\"y\":\"long value " + new string('v', 500) + "\"}", first);
        Assert.Equal("{\"n\":3}", second);
    }
}
