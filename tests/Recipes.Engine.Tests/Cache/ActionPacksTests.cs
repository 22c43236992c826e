using System.Buffers;
using System.Text;
using Recipes.Cache;
using Recipes.Engine.Tests.Support;
using Recipes.Hashing;

namespace Recipes.Engine.Tests.Cache;

/// <summary>
/// Packed action entries: what one writer appends, another reader finds; a pack is sealed with an index; a torn or
/// damaged record costs only itself; a killed writer's pack is taken over; removal rewrites packs and spares held ones.
/// </summary>
public sealed class ActionPacksTests
{
    private static string Key(int i) => ContentHash.Of("entry " + i);

    private static byte[] Payload(int i) => Encoding.UTF8.GetBytes($"{{\"key\":\"{Key(i)}\",\"n\":{i},\"pad\":\"{new string('x', i % 50)}\"}}");

    private static string? Read(ActionPacks packs, string key)
    {
        var buffer = packs.TryRead(key, out var length, out _);
        if (buffer is null) return null;
        var text = Encoding.UTF8.GetString(buffer, 0, length);
        ArrayPool<byte>.Shared.Return(buffer);
        return text;
    }

    private static string PackPath(string root) => Directory.GetFiles(root, "*" + ActionPacks.PackExtension).Single();

    [Fact]
    public void WhatOneWriterAppendsAFreshReaderFindsAndAnotherLiveReaderPicksUp()
    {
        using var temp = new TempDirectory();
        var reader = new ActionPacks(temp.Root);
        Assert.Null(Read(reader, Key(0)));
        var writer = new ActionPacks(temp.Root);
        for (var i = 0; i < 100; i++) writer.Append(Key(i), Payload(i));

        // The reader looked before anything was written: a miss makes it look again, through the change counter.
        Assert.Equal(Encoding.UTF8.GetString(Payload(7)), Read(reader, Key(7)));
        var fresh = new ActionPacks(temp.Root);
        Assert.Equal(100, fresh.EnumerateKeys().Count());
        for (var i = 0; i < 100; i++) Assert.Equal(Encoding.UTF8.GetString(Payload(i)), Read(fresh, Key(i)));
        Assert.Null(Read(fresh, Key(100)));
        Assert.False(fresh.Contains("not a key"));
    }

    [Fact]
    public void APackIsSealedWithAnIndexThatReadersUseAndAnIndexThatDoesNotCheckIsIgnored()
    {
        using var temp = new TempDirectory();
        var writer = new ActionPacks(temp.Root) { SealAt = 4096 };
        for (var i = 0; i < 100; i++) writer.Append(Key(i), Payload(i));
        writer.CloseWriter();
        var indexes = Directory.GetFiles(temp.Root, "*" + ActionPacks.IndexExtension);
        Assert.True(indexes.Length >= 2, $"{indexes.Length} sealed packs");
        var reader = new ActionPacks(temp.Root);
        for (var i = 0; i < 100; i++) Assert.Equal(Encoding.UTF8.GetString(Payload(i)), Read(reader, Key(i)));

        // A flipped byte in an index fails its hash: the pack is scanned instead, and every entry is still found.
        var bytes = File.ReadAllBytes(indexes[0]);
        bytes[20] ^= 0xff;
        File.WriteAllBytes(indexes[0], bytes);
        var scanning = new ActionPacks(temp.Root);
        for (var i = 0; i < 100; i++) Assert.NotNull(Read(scanning, Key(i)));
    }

    [Fact]
    public void ABuildThatWroteEnoughSealsItsPackAndASmallPackIsTakenOverByTheNext()
    {
        using var temp = new TempDirectory();
        var large = new ActionPacks(temp.Root) { SealOnCloseAt = 1000 };
        for (var i = 0; i < 20; i++) large.Append(Key(i), Payload(i));
        large.CloseWriter();
        Assert.Single(Directory.GetFiles(temp.Root, "*" + ActionPacks.IndexExtension));

        // The next build starts a pack of its own; it writes little, so its pack stays open for the one after.
        var small = new ActionPacks(temp.Root) { SealOnCloseAt = 1000 };
        small.Append(Key(20), Payload(20));
        small.CloseWriter();
        var packs = Directory.GetFiles(temp.Root, "*" + ActionPacks.PackExtension);
        Assert.Equal(2, packs.Length);
        var next = new ActionPacks(temp.Root) { SealOnCloseAt = 1000 };
        next.Append(Key(21), Payload(21));
        next.CloseWriter();
        Assert.Equal(packs, Directory.GetFiles(temp.Root, "*" + ActionPacks.PackExtension));
        var reader = new ActionPacks(temp.Root);
        for (var i = 0; i < 22; i++) Assert.Equal(Encoding.UTF8.GetString(Payload(i)), Read(reader, Key(i)));
    }

    [Fact]
    public void ATornLastRecordIsAMissAndTheNextWriterCutsItBeforeAppending()
    {
        using var temp = new TempDirectory();
        var killed = new ActionPacks(temp.Root);
        for (var i = 0; i < 10; i++) killed.Append(Key(i), Payload(i));
        killed.CloseWriter();
        // What a write cut short leaves: the last record's header and half its entry.
        var pack = PackPath(temp.Root);
        var length = new FileInfo(pack).Length;
        using (var stream = new FileStream(pack, FileMode.Open)) stream.SetLength(length - Payload(9).Length / 2);

        var reader = new ActionPacks(temp.Root);
        Assert.Null(Read(reader, Key(9)));
        Assert.Equal(9, reader.EnumerateKeys().Count());

        var next = new ActionPacks(temp.Root);
        next.Append(Key(9), Payload(9));
        next.Append(Key(10), Payload(10));
        next.CloseWriter();
        Assert.Equal(pack, PackPath(temp.Root));
        var after = new ActionPacks(temp.Root);
        for (var i = 0; i <= 10; i++) Assert.Equal(Encoding.UTF8.GetString(Payload(i)), Read(after, Key(i)));
        // The reader that saw the torn record picks up what was written over it.
        Assert.Equal(Encoding.UTF8.GetString(Payload(10)), Read(reader, Key(10)));
    }

    [Fact]
    public void ADamagedRecordIsSkippedAndTheRecordsAfterItAreStillRead()
    {
        using var temp = new TempDirectory();
        var writer = new ActionPacks(temp.Root);
        for (var i = 0; i < 20; i++) writer.Append(Key(i), Payload(i));
        writer.CloseWriter();
        var pack = PackPath(temp.Root);
        var bytes = File.ReadAllBytes(pack);
        var at = Encoding.ASCII.GetBytes(Key(5));
        var offset = bytes.AsSpan().IndexOf(at);
        bytes[offset + 32 + 8 + 10] ^= 0x20; // a byte of entry 5's JSON
        File.WriteAllBytes(pack, bytes);

        var reader = new ActionPacks(temp.Root);
        Assert.Null(Read(reader, Key(5)));
        Assert.Equal(19, reader.EnumerateKeys().Count());
        for (var i = 6; i < 20; i++) Assert.Equal(Encoding.UTF8.GetString(Payload(i)), Read(reader, Key(i)));
    }

    [Fact]
    public void TwoWritersAtOnceWriteTwoPacksAndEachSeesTheOther()
    {
        using var temp = new TempDirectory();
        var a = new ActionPacks(temp.Root);
        var b = new ActionPacks(temp.Root);
        Parallel.Invoke(
            () => { for (var i = 0; i < 200; i += 2) a.Append(Key(i), Payload(i)); },
            () => { for (var i = 1; i < 200; i += 2) b.Append(Key(i), Payload(i)); });
        Assert.Equal(2, Directory.GetFiles(temp.Root, "*" + ActionPacks.PackExtension).Length);
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(Encoding.UTF8.GetString(Payload(i)), Read(a, Key(i)));
            Assert.Equal(Encoding.UTF8.GetString(Payload(i)), Read(b, Key(i)));
        }
    }

    [Fact]
    public void RemovalRewritesThePacksButLeavesAPackAnotherBuildHolds()
    {
        using var temp = new TempDirectory();
        // Two builds at once write two packs; one finishes (and would let a later writer take its pack over).
        var finished = new ActionPacks(temp.Root);
        for (var i = 0; i < 10; i++) finished.Append(Key(i), Payload(i));
        var running = new ActionPacks(temp.Root);
        for (var i = 10; i < 20; i++) running.Append(Key(i), Payload(i));
        finished.CloseWriter();

        var collector = new ActionPacks(temp.Root);
        var removed = collector.Remove([Key(1), Key(3), Key(12), Key(99)]);

        Assert.Equal(new[] { Key(1), Key(3) }.Order(StringComparer.Ordinal), removed.Order(StringComparer.Ordinal));
        var reader = new ActionPacks(temp.Root);
        Assert.Null(Read(reader, Key(1)));
        Assert.Null(Read(reader, Key(3)));
        Assert.NotNull(Read(reader, Key(12)));
        foreach (var i in new[] { 0, 2, 4, 9, 10, 19 }) Assert.Equal(Encoding.UTF8.GetString(Payload(i)), Read(reader, Key(i)));

        // Once the running build lets its pack go, the next collection takes the entry.
        running.CloseWriter();
        Assert.Equal([Key(12)], new ActionPacks(temp.Root).Remove([Key(12)]).ToList());
        Assert.Null(Read(new ActionPacks(temp.Root), Key(12)));
        Assert.Equal(17, new ActionPacks(temp.Root).EnumerateKeys().Count());
    }

    [Fact]
    public void AnOversizedEntryOrABadKeyIsRefusedWithoutWritingAnything()
    {
        using var temp = new TempDirectory();
        var packs = new ActionPacks(temp.Root);
        Assert.Throws<InvalidDataException>(() => packs.Append("../../etc/passwd", Payload(0)));
        Assert.Throws<InvalidDataException>(() => packs.Append(Key(0), new byte[ActionPacks.MaxPayload + 1]));
        Assert.Empty(packs.EnumerateKeys());
        Assert.Empty(Directory.Exists(temp.Root) ? Directory.GetFiles(temp.Root, "*" + ActionPacks.PackExtension) : []);
    }

    [Fact]
    public void BackdatingMovesEveryEntrysTimeAndKeepsItsBytes()
    {
        using var temp = new TempDirectory();
        var packs = new ActionPacks(temp.Root);
        packs.Append(Key(1), Payload(1));
        packs.CloseWriter();
        ActionPacks.Backdate(temp.Root, TimeSpan.FromDays(3));
        var reader = new ActionPacks(temp.Root);
        var buffer = reader.TryRead(Key(1), out var length, out var written);
        Assert.NotNull(buffer);
        Assert.Equal(Payload(1), buffer.AsSpan(0, length).ToArray());
        Assert.InRange(DateTime.UtcNow - written, TimeSpan.FromDays(3), TimeSpan.FromDays(3.01));
    }
}
