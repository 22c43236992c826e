using Recipes.Cache;

namespace Recipes.Engine.Tests.Cache;

public sealed class PackIndexTests
{
    [Fact]
    public void EveryKeyFindsItsLastLocationThroughGrowthAndClearing()
    {
        var index = new PackIndex();
        var random = new Random(7);
        var expected = new Dictionary<UInt128, long>();
        // Keys alike in their low bits probe past each other; the rest are random, as hashes are.
        for (var i = 0; i < 5000; i++)
        {
            var key = i % 3 == 0 ? new UInt128((ulong)i, 42) : new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64());
            var location = random.NextInt64(0, 1L << 50);
            index[key] = location;
            expected[key] = location;
            if (i % 10 == 0)
            {
                index[key] = location + 1;
                expected[key] = location + 1;
            }
        }
        index[UInt128.Zero] = 0;
        expected[UInt128.Zero] = 0;

        Assert.Equal(expected.Count, index.Count);
        foreach (var (key, location) in expected)
        {
            Assert.True(index.TryGetValue(key, out var found));
            Assert.Equal(location, found);
        }
        Assert.False(index.ContainsKey(new UInt128(1, 1)));
        Assert.Equal(expected.Keys.Order(), index.Keys().Order());

        index.Clear();
        Assert.Equal(0, index.Count);
        Assert.False(index.ContainsKey(expected.Keys.First()));
    }

    [Fact]
    public async Task ReadersDuringWritesSeeEveryEarlierKeyWhole()
    {
        var index = new PackIndex();
        const int Count = 200_000;
        var written = 0;
        var writer = Task.Run(() =>
        {
            for (var i = 1; i <= Count; i++)
            {
                index[new UInt128((ulong)i * 0x9E3779B97F4A7C15, (ulong)i)] = i;
                Volatile.Write(ref written, i);
            }
        });
        var misses = 0;
        while (!writer.IsCompleted)
        {
            var upTo = Volatile.Read(ref written);
            for (var i = Math.Max(1, upTo - 64); i <= upTo; i++)
                if (!index.TryGetValue(new UInt128((ulong)i * 0x9E3779B97F4A7C15, (ulong)i), out var location) || location != i) misses++;
        }
        await writer;
        Assert.Equal(0, misses);
        Assert.Equal(Count, index.Count);
    }

    [Fact]
    public void ReservingMakesRoomWithoutLosingEntries()
    {
        var index = new PackIndex();
        index[5] = 50;
        index.Reserve(100_000);
        for (ulong i = 6; i < 1000; i++) index[i] = (long)i * 10;
        Assert.True(index.TryGetValue(5, out var five));
        Assert.Equal(50, five);
        Assert.Equal(995, index.Count);
    }
}
