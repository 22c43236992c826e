using System.Diagnostics;
using System.Text.Json.Nodes;
using Recipes.Engine.Tests.Support;
using Recipes.Plugins.Files;
using Recipes.Reading;

namespace Recipes.Engine.Tests.Reading;

/// <summary>
/// docs/security.md, "One reading discipline": the regular-file opener refuses pipes, devices, links to them and files
/// over their cap without opening them; the JSON reader refuses what is not one object and types every field.
/// </summary>
public sealed class BoundedReadersTests
{
    /// <summary>Runs <paramref name="read"/> with a time limit: a reader that opened a FIFO would block forever.</summary>
    private static RefusedFileException RefusedWithin(Func<object?> read)
    {
        // A thread of its own, joined with a limit: a reader that opened the FIFO would never return.
        Exception? thrown = null;
        var thread = new Thread(() =>
        {
            try { read(); }
            catch (Exception e) { thrown = e; }
        }) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)), "the read blocked");
        return Assert.IsType<RefusedFileException>(thrown);
    }

    private static string Fifo(TempDirectory dir, string name)
    {
        var path = Path.Combine(dir.Root, name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    [Fact]
    public void APipeADeviceAndALinkToAPipeAreRefusedWithoutBeingOpened()
    {
        using var dir = new TempDirectory();
        var fifo = Fifo(dir, "record.json");
        var link = Path.Combine(dir.Root, "link.json");
        File.CreateSymbolicLink(link, fifo);

        Assert.Equal("is empty or not a regular file (a pipe, a socket or a device)", RefusedWithin(() => RegularFile.ReadAllBytes(fifo, 1024)).Reason);
        Assert.Equal("is empty or not a regular file (a pipe, a socket or a device)", RefusedWithin(() => RegularFile.ReadAllBytes(link, 1024)).Reason);
        Assert.Equal("is empty or not a regular file (a pipe, a socket or a device)", RefusedWithin(() => RegularFile.ReadAllBytes("/dev/zero", 1024)).Reason);
        Assert.Equal("is a directory, not a file", RefusedWithin(() => RegularFile.OpenRead(dir.Root, 1024)).Reason);
    }

    [Fact]
    public void AFileOverItsCapIsRefusedAndOneWithinItIsReadWhole()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("big.json", new string(' ', 2048) + "{}");
        var error = RefusedWithin(() => RegularFile.ReadAllBytes(path, 1024));
        Assert.Equal("is 2 KiB; at most 1 KiB is read", error.Reason);
        Assert.Equal(path + ": is 2 KiB; at most 1 KiB is read", error.Message);
        Assert.Equal(2050, RegularFile.ReadAllBytes(path, 4096).Length);
    }

    [Theory]
    [InlineData("[1,2]", "is not a JSON object ({...})")]
    [InlineData("5", "is not a JSON object ({...})")]
    [InlineData("null", "holds null, not a JSON object")]
    [InlineData("{\"a\": 1} {\"b\": 2}", "is not valid JSON")]
    [InlineData("{\"a\": ", "is not valid JSON")]
    public void WhatIsNotOneJsonObjectIsRefusedNamingTheSource(string text, string reason)
    {
        var error = Assert.Throws<RefusedFileException>(() => BoundedJson.ParseObject(System.Text.Encoding.UTF8.GetBytes(text), "p.json"));
        Assert.StartsWith("p.json: " + reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void NestingDeeperThanTheLimitIsRefused()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        var error = Assert.Throws<RefusedFileException>(() => BoundedJson.ParseObject(System.Text.Encoding.UTF8.GetBytes("{\"a\":" + deep + "}"), "deep.json"));
        Assert.Contains("is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FieldsOfTheWrongTypeAreRefusedNamingTheField()
    {
        var o = JsonNode.Parse("""{"url": 5, "size": 1e20, "x": 1e999, "upload": "yes", "list": {}, "ok": "text"}""")!.AsObject();
        Assert.Equal("f.json: remote_cache.url is a whole number where a string belongs",
            Assert.Throws<RefusedFileException>(() => JsonFields.Text(o, "url", "f.json", "remote_cache.")).Message);
        Assert.Equal("f.json: size is a number where a whole number from 0 to 1024 belongs",
            Assert.Throws<RefusedFileException>(() => JsonFields.Integer(o, "size", "f.json", 0, 1024)).Message);
        Assert.Contains("x is a number out of range where a finite number belongs", Assert.Throws<RefusedFileException>(() => JsonFields.Number(o, "x", "f.json")).Message);
        Assert.Contains("upload is a string where true or false belongs", Assert.Throws<RefusedFileException>(() => JsonFields.Bool(o, "upload", "f.json")).Message);
        Assert.Contains("list is an object where a list ([...]) belongs", Assert.Throws<RefusedFileException>(() => JsonFields.Array(o, "list", "f.json")).Message);
        Assert.Equal("text", JsonFields.Text(o, "ok", "f.json"));
        Assert.Null(JsonFields.Text(o, "absent", "f.json"));
    }
}
