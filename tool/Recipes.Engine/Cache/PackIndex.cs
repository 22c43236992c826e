namespace Recipes.Cache;

/// <summary>
/// Where each packed entry lies (pack number and offset, one long) by its 128-bit key: an open-addressing table of
/// plain arrays, 24 bytes a slot, instead of a concurrent dictionary's node object per entry (four million entries
/// took 4 s and 290 MB to load into one, this takes a fraction of either). Keys are XxHash128 values, so their bits
/// are already uniform: a key's first slot is its bits folded to 32 and scaled to the table's size (any size, so the
/// table grows by half, not double), and probing is linear.
/// </summary>
/// <remarks>
/// Readers take no lock: a slot's key is written before its location, and the location (stored plus one, zero
/// meaning empty) with a release write that a reader's acquire read pairs with, so a reader that sees a location sees
/// its key whole. Writers serialize on a lock; a table that grows is copied and published whole, and a reader still on
/// the old one sees every entry up to the copy (an append racing the copy lands in the new one, which the caller's
/// reread of the index — after the change counter moved — finds).
/// </remarks>
internal sealed class PackIndex
{
    private const double MaxLoad = 0.7;

    private sealed class Table(int capacity)
    {
        public readonly UInt128[] Keys = new UInt128[capacity];
        public readonly long[] Locations = new long[capacity];
        public int Count;
    }

    private readonly Lock _write = new();
    private volatile Table _table = new(16);

    public int Count => _table.Count;

    public bool TryGetValue(UInt128 key, out long location)
    {
        var table = _table;
        var keys = table.Keys;
        var locations = table.Locations;
        for (var slot = FirstSlot(key, keys.Length); ; slot = slot + 1 == keys.Length ? 0 : slot + 1)
        {
            var stored = Volatile.Read(ref locations[slot]);
            if (stored == 0) break;
            if (keys[slot] == key)
            {
                location = stored - 1;
                return true;
            }
        }
        location = 0;
        return false;
    }

    public bool ContainsKey(UInt128 key) => TryGetValue(key, out _);

    /// <summary>Adds or replaces (a later record of a key wins).</summary>
    public long this[UInt128 key]
    {
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_write)
            {
                var table = _table;
                if (table.Count + 1 > table.Keys.Length * MaxLoad) _table = table = Grown(table, Capacity(table.Keys.Length * 3L / 2 * MaxLoad));
                Put(table, key, value);
            }
        }
    }

    /// <summary>Makes room for <paramref name="more"/> entries at once (a pack's index), so a large load grows the table once.</summary>
    public void Reserve(int more)
    {
        lock (_write)
        {
            var table = _table;
            var capacity = Capacity(table.Count + (long)more);
            if (capacity > table.Keys.Length) _table = Grown(table, capacity);
        }
    }

    public void Clear()
    {
        lock (_write) _table = new Table(16);
    }

    public List<UInt128> Keys()
    {
        var table = _table;
        var keys = new List<UInt128>(table.Count);
        for (var slot = 0; slot < table.Keys.Length; slot++)
            if (Volatile.Read(ref table.Locations[slot]) != 0) keys.Add(table.Keys[slot]);
        return keys;
    }

    // Slots for this many entries at the load limit (at least 16, at most what an array holds).
    private static int Capacity(double entries) => (int)Math.Clamp(Math.Ceiling(entries / MaxLoad), 16, Array.MaxLength);

    private static int FirstSlot(UInt128 key, int length)
    {
        var folded = (ulong)key ^ (ulong)(key >> 64);
        return (int)((((folded ^ (folded >> 32)) & 0xFFFF_FFFF) * (ulong)length) >> 32);
    }

    private static void Put(Table table, UInt128 key, long location)
    {
        var length = table.Keys.Length;
        for (var slot = FirstSlot(key, length); ; slot = slot + 1 == length ? 0 : slot + 1)
        {
            var stored = table.Locations[slot];
            if (stored == 0)
            {
                table.Keys[slot] = key;
                Volatile.Write(ref table.Locations[slot], location + 1);
                table.Count++;
                return;
            }
            if (table.Keys[slot] == key)
            {
                Volatile.Write(ref table.Locations[slot], location + 1);
                return;
            }
        }
    }

    private static Table Grown(Table table, int capacity)
    {
        var grown = new Table(capacity);
        for (var slot = 0; slot < table.Keys.Length; slot++)
            if (table.Locations[slot] is var stored and not 0) Put(grown, table.Keys[slot], stored - 1);
        return grown;
    }
}
