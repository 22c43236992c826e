using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Recipes.Plugins.Files;

namespace Recipes.Cache;

/// <summary>
/// Action entries packed into append-only files under <c>packs/</c>, as Git packs objects, instead of one small file per
/// key: a finished node appends one record (one write, no file created, no rename), and a probe reads each pack's index
/// instead of listing hundreds of thousands of names.
/// <para>
/// Each writing process appends to a pack of its own, held by an exclusive lock on <c>NAME.lock</c> (the kernel drops it
/// when the process dies, so a killed build's pack is taken over by the next writer, which cuts a torn last record
/// first). A record is a 56-byte header (magic, payload length, write time, the key, an XxHash64 of header and payload)
/// and the entry's JSON. A record is reported done once its write returned: that survives <c>kill -9</c>, which is the
/// guarantee the crash campaign pins (nothing in the cache is fsynced; a power loss is not covered, as before). A pack
/// is sealed at <see cref="SealBytes"/> with <c>NAME.idx</c> (its keys and offsets, checked by a hash), and a build
/// that wrote <see cref="SealOnCloseBytes"/> or more seals its pack when it ends, so a reader scans only small or
/// running packs. Every append also adds a byte to <c>changes</c>: a reader that misses a key looks at that file's
/// length, one system call, to learn whether another build stored something since.
/// </para>
/// <para>
/// Readers trust nothing: a record whose header or hash does not check is skipped and the scan resynchronizes on the
/// next magic, a payload is bounded, and a later record of a key replaces an earlier one (packs are read in name
/// order, which is creation time). <c>cache gc</c> and <c>cache verify</c> remove entries by rewriting the packs that
/// hold them (<see cref="Remove"/>); a pack another build is writing is left for a later collection.
/// </para>
/// </summary>
public sealed class ActionPacks
{
    public const string PackExtension = ".pack";
    public const string IndexExtension = ".idx";
    public const string LockExtension = ".lock";
    public const string ChangesName = "changes";

    /// <summary>A pack is sealed with an index once it is this long.</summary>
    public const long SealBytes = 32L << 20;

    /// <summary>A pack at least this long is sealed when its build ends (the next build starts a new one).</summary>
    public const long SealOnCloseBytes = 4L << 20;

    /// <summary>No action entry is near this; a larger length is a corrupt header, refused without reading on.</summary>
    public const int MaxPayload = 16 << 20;

    public const int HeaderSize = 56;
    private const uint RecordMagic = 0x31454152; // "RAE1"
    private const uint IndexMagic = 0x31494152; // "RAI1"
    private const int IndexEntrySize = 24;
    private const int PackShift = 40;

    private readonly string _root;
    private readonly Lock _gate = new();
    private readonly Lock _writeGate = new();
    private readonly PackIndex _index = new();
    private volatile Pack[] _packs = [];
    private volatile bool _loaded;
    private long _changesSeen = -1;
    private Writer? _writer;

    public ActionPacks(string root) => _root = root;

    /// <summary>Where this writer seals its pack (smaller in tests, to seal without writing 32 MiB).</summary>
    internal long SealAt { get; init; } = SealBytes;

    /// <summary>From what length a pack is sealed when its build ends (smaller in tests).</summary>
    internal long SealOnCloseAt { get; init; } = SealOnCloseBytes;

    public string Root => _root;

    /// <summary>Reads every pack's index (or scans an unsealed pack) once; later calls only pick up what changed.</summary>
    public void Load()
    {
        // Asked on every lookup, from every probing thread: the lock only while nothing has been read yet.
        if (_loaded) return;
        lock (_gate)
        {
            if (!_loaded) RefreshLocked(force: true);
        }
    }

    public bool Contains(string key)
    {
        if (!TryParseKey(key, out var id)) return false;
        Load();
        if (_index.ContainsKey(id)) return true;
        Refresh();
        return _index.ContainsKey(id);
    }

    /// <summary>The entry bytes of <paramref name="key"/> in a pooled buffer (return it with <see cref="ArrayPool{T}.Shared"/>), or null.</summary>
    public byte[]? TryRead(string key, out int length, out DateTime written)
    {
        length = 0;
        written = default;
        return TryLocate(key, out var id, out var pack, out var offset) ? pack.ReadRecord(offset, id, out length, out written) : null;
    }

    /// <summary>When a packed entry was written, from its header alone (gc asks for every entry), or null.</summary>
    public DateTime? TryReadWritten(string key)
    {
        if (!TryLocate(key, out var id, out var pack, out var offset)) return null;
        Span<byte> header = stackalloc byte[HeaderSize];
        return pack.TryReadHeader(offset, id, header, out _) ? WrittenOf(header) : null;
    }

    // Where a key's record is: its pack and offset, by the index, reread once if another build may have stored it since.
    private bool TryLocate(string key, out UInt128 id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Pack? pack, out long offset)
    {
        pack = null;
        offset = 0;
        if (!TryParseKey(key, out id)) return false;
        Load();
        if (!_index.TryGetValue(id, out var location))
        {
            Refresh();
            if (!_index.TryGetValue(id, out location)) return false;
        }
        var packs = _packs;
        var number = (int)(location >> PackShift);
        if (number >= packs.Length) return false;
        pack = packs[number];
        offset = location & ((1L << PackShift) - 1);
        return true;
    }

    private static DateTime WrittenOf(ReadOnlySpan<byte> header) =>
        new(Math.Clamp(BinaryPrimitives.ReadInt64LittleEndian(header[8..]), DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);

    /// <summary>Every key held in a pack.</summary>
    public IEnumerable<string> EnumerateKeys()
    {
        Load();
        Refresh();
        return _index.Keys().Select(FormatKey).ToList();
    }

    /// <summary>Appends an entry: one write to this process's pack and one byte to <c>changes</c>.</summary>
    public void Append(string key, ReadOnlySpan<byte> payload)
    {
        if (!TryParseKey(key, out var id)) throw new InvalidDataException($"refused '{key}' as a cache key: not 32 hex digits");
        if (payload.Length > MaxPayload) throw new InvalidDataException($"the cache entry of {key} is {payload.Length} bytes, over the {MaxPayload}-byte limit");
        Load();
        var record = ArrayPool<byte>.Shared.Rent(HeaderSize + payload.Length);
        try
        {
            var length = Encode(record, id, DateTime.UtcNow.Ticks, payload);
            lock (_writeGate)
            {
                _writer ??= OpenWriter();
                var offset = _writer.Append(id, record.AsSpan(0, length));
                _index[id] = ((long)_writer.Pack.Number << PackShift) | offset;
                if (_writer.Length >= SealAt)
                {
                    _writer.Seal();
                    _writer = null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }
    }

    /// <summary>
    /// Releases this process's pack (its lock), so another build or a collection may take it; the next append opens one
    /// again. A pack of <see cref="SealOnCloseBytes"/> or more is sealed first, so later probes read its index instead
    /// of scanning it; a smaller one stays open for the next build to append to.
    /// </summary>
    public void CloseWriter()
    {
        lock (_writeGate)
        {
            if (_writer is { } writer && writer.Length >= SealOnCloseAt) writer.Seal();
            else _writer?.Dispose();
            _writer = null;
        }
    }

    /// <summary>
    /// Removes <paramref name="keys"/> by rewriting each pack that holds one (kept records to a new pack, then the old
    /// one deleted); returns the keys removed. A pack locked by a running build keeps its records until a later call.
    /// </summary>
    public IReadOnlySet<string> Remove(IEnumerable<string> keys)
    {
        CloseWriter();
        Load();
        Refresh();
        // Which packs hold a doomed key, by the index (a record damaged since it was indexed is dropped with its pack's rewrite).
        var doomed = new Dictionary<UInt128, int>();
        foreach (var key in keys)
            if (TryParseKey(key, out var id) && _index.TryGetValue(id, out var location)) doomed[id] = (int)(location >> PackShift);
        var removed = new HashSet<string>(StringComparer.Ordinal);
        if (doomed.Count == 0) return removed;
        var packs = _packs;
        foreach (var number in doomed.Values.Distinct().Order())
        {
            var pack = packs[number];
            using var exclusive = TryLock(pack.Path);
            if (exclusive is null || !File.Exists(pack.Path)) continue;
            var kept = pack.ReadAll().Where(r => !doomed.ContainsKey(r.Key)).ToList();
            if (kept.Count > 0)
            {
                var name = NewPackName();
                var path = Path.Combine(_root, name + PackExtension);
                var temp = Path.Combine(_root, AtomicFile.TempPrefix + name);
                var moved = new List<(UInt128, long)>(kept.Count);
                long offset = 0;
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                    foreach (var r in kept)
                    {
                        stream.Write(r.Bytes);
                        moved.Add((r.Key, offset));
                        offset += r.Bytes.Length;
                    }
                File.Move(temp, path);
                WriteIndex(path, moved, offset);
            }
            foreach (var (id, _) in doomed.Where(d => d.Value == number)) removed.Add(FormatKey(id));
            AtomicFile.TryDelete(Path.ChangeExtension(pack.Path, IndexExtension));
            AtomicFile.TryDelete(pack.Path);
            AtomicFile.TryDelete(Path.ChangeExtension(pack.Path, LockExtension));
        }
        NoteChange();
        lock (_gate)
        {
            _index.Clear();
            _packs = [];
            _loaded = false;
        }
        return removed;
    }

    /// <summary>
    /// Moves every packed entry's write time back by <paramref name="by"/> (for tests of <c>cache gc</c>'s age limits,
    /// which once aged one-file entries by their file times); the packs must not be in use.
    /// </summary>
    internal static void Backdate(string root, TimeSpan by)
    {
        foreach (var path in Directory.EnumerateFiles(root, "*" + PackExtension))
        {
            var records = new Pack(path, 0).ReadAll();
            using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write))
                foreach (var r in records)
                {
                    var ticks = BinaryPrimitives.ReadInt64LittleEndian(r.Bytes.AsSpan(8)) - by.Ticks;
                    var record = new byte[r.Bytes.Length];
                    stream.Write(record.AsSpan(0, Encode(record, r.Key, ticks, r.Bytes.AsSpan(HeaderSize))));
                }
            AtomicFile.TryDelete(Path.ChangeExtension(path, IndexExtension));
        }
    }

    private void Refresh()
    {
        lock (_gate) RefreshLocked(force: false);
    }

    // Picks up packs created and records appended since the last look; cheap (one fstat) when nothing changed.
    private void RefreshLocked(bool force)
    {
        var changes = ChangesLength();
        if (!force && changes == _changesSeen) return;
        // The counter is read before the packs: whatever is appended meanwhile makes it differ at the next look.
        _changesSeen = changes;
        try
        {
            if (Directory.Exists(_root)) ReadPacks();
        }
        finally
        {
            // Set last, so that no thread takes a half-read index for the whole one.
            _loaded = true;
        }
    }

    private void ReadPacks()
    {
        var known = _packs.ToDictionary(p => p.Path, StringComparer.Ordinal);
        var names = Directory.EnumerateFiles(_root, "*" + PackExtension).Order(StringComparer.Ordinal).ToList();
        var packs = new List<Pack>(_packs);
        // Room for every sealed pack's entries at once (an index's length gives its count), so a large cache's index
        // is allocated once rather than doubled pack by pack; no more than the pack can hold, whatever an index claims.
        long indexed = 0;
        foreach (var path in names)
            if (!known.ContainsKey(path) && new FileInfo(Path.ChangeExtension(path, IndexExtension)) is { Exists: true } index &&
                new FileInfo(path) is { Exists: true } pack)
                indexed += Math.Min(Math.Max(0, index.Length - 24) / IndexEntrySize, pack.Length / HeaderSize);
        _index.Reserve((int)Math.Min(indexed, 1 << 28));
        foreach (var path in names)
        {
            if (!known.TryGetValue(path, out var pack))
            {
                pack = new Pack(path, packs.Count);
                packs.Add(pack);
                _packs = [.. packs];
                if (pack.TryLoadIndex(_index)) continue;
            }
            if (!pack.Sealed && !pack.OwnedHere) pack.ScanFrom(_index);
        }
        _packs = [.. packs];
    }

    // By path, one stat: a handle kept open would miss a file replaced since, and a pipe planted here is never opened.
    private long ChangesLength()
    {
        try
        {
            var info = new FileInfo(Path.Combine(_root, ChangesName));
            return info.Exists ? info.Length : 0;
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }

    private void NoteChange()
    {
        try
        {
            using var handle = OpenChanges(_root);
            Signal(handle);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    // One byte written at the current end: readers compare the length. Two builds writing at once may both write at one
    // offset, growing it once; each wrote its record before reading the length, so a reader that sees either growth
    // and rescans finds both records.
    // Something other than a file planted as `changes` (a pipe cannot be written at an offset) only costs the signal.
    private static void Signal(Microsoft.Win32.SafeHandles.SafeFileHandle changes)
    {
        try
        {
            RandomAccess.Write(changes, "+"u8, RandomAccess.GetLength(changes));
        }
        catch (NotSupportedException) { }
        catch (IOException) { }
    }

    // Read and write: opening a pipe planted here for writing only would wait for a reader forever.
    private static Microsoft.Win32.SafeHandles.SafeFileHandle OpenChanges(string root) =>
        File.OpenHandle(Path.Combine(root, ChangesName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);

    private Writer OpenWriter()
    {
        Directory.CreateDirectory(_root);
        Refresh();
        // Take over an unsealed pack no running build holds (a finished or killed build's), cutting a torn last record.
        foreach (var pack in _packs)
        {
            if (pack.Sealed || pack.OwnedHere || pack.Length() >= SealAt || StoreFile.ReportsNoBytes(pack.Path)) continue;
            var exclusive = TryLock(pack.Path);
            if (exclusive is null) continue;
            if (!File.Exists(pack.Path) || File.Exists(Path.ChangeExtension(pack.Path, IndexExtension)))
            {
                exclusive.Dispose();
                continue;
            }
            var end = pack.ScanFrom(_index, fromStart: true);
            var records = pack.ReadAll().Where(r => r.Offset < end).Select(r => (r.Key, r.Offset)).ToList();
            return new Writer(pack, exclusive, end, _root, records);
        }
        var name = NewPackName();
        var path = Path.Combine(_root, name + PackExtension);
        var held = TryLock(path) ?? throw new IOException($"could not lock the new cache pack {name}");
        File.WriteAllBytes(path, []);
        Pack created;
        lock (_gate)
        {
            created = new Pack(path, _packs.Length);
            _packs = [.. _packs, created];
        }
        return new Writer(created, held, 0, _root, []);
    }

    private static string NewPackName() =>
        $"{DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture)}-{Environment.ProcessId}-{Random.Shared.Next(0x10000):x4}";

    /// <summary>The pack's lock, or null when another writer (or collection) holds it.</summary>
    private static FileStream? TryLock(string packPath)
    {
        try
        {
            return new FileStream(Path.ChangeExtension(packPath, LockExtension), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static int Encode(byte[] record, UInt128 id, long ticks, ReadOnlySpan<byte> payload)
    {
        var span = record.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, RecordMagic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], ticks);
        Encoding.ASCII.GetBytes(FormatKey(id), span.Slice(16, 32));
        payload.CopyTo(span[HeaderSize..]);
        BinaryPrimitives.WriteUInt64LittleEndian(span[48..], Checksum(span[..48], payload));
        return HeaderSize + payload.Length;
    }

    private static ulong Checksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        var hash = new XxHash64();
        hash.Append(header);
        hash.Append(payload);
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>Parses one record at <paramref name="at"/>: its key and total length, or false when it does not check.</summary>
    private static bool TryDecode(ReadOnlySpan<byte> data, int at, out UInt128 id, out int total)
    {
        id = default;
        total = 0;
        if (data.Length - at < HeaderSize) return false;
        var header = data.Slice(at, HeaderSize);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != RecordMagic) return false;
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        if (length < 0 || length > MaxPayload || data.Length - at - HeaderSize < length) return false;
        if (!TryParseKey(header.Slice(16, 32), out id)) return false;
        var payload = data.Slice(at + HeaderSize, length);
        if (BinaryPrimitives.ReadUInt64LittleEndian(header[48..]) != Checksum(header[..48], payload)) return false;
        total = HeaderSize + length;
        return true;
    }

    private static bool TryParseKey(ReadOnlySpan<byte> ascii, out UInt128 id)
    {
        id = default;
        Span<char> chars = stackalloc char[32];
        for (var i = 0; i < 32; i++)
        {
            var c = (char)ascii[i];
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
            chars[i] = c;
        }
        return UInt128.TryParse(chars, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id);
    }

    private static bool TryParseKey(string key, out UInt128 id)
    {
        id = default;
        if (key.Length != 32) return false;
        foreach (var c in key)
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
        return UInt128.TryParse(key, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id);
    }

    private static string FormatKey(UInt128 id) => id.ToString("x32", CultureInfo.InvariantCulture);

    // An index: magic, count, the pack's length when sealed, (key, offset) per record, and an XxHash64 of all before it.
    private static void WriteIndex(string packPath, IReadOnlyList<(UInt128 Key, long Offset)> records, long packLength)
    {
        var bytes = new byte[16 + IndexEntrySize * records.Count + 8];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, IndexMagic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), records.Count);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), packLength);
        for (var i = 0; i < records.Count; i++)
        {
            var at = bytes.AsSpan(16 + IndexEntrySize * i);
            BinaryPrimitives.WriteUInt128LittleEndian(at, records[i].Key);
            BinaryPrimitives.WriteInt64LittleEndian(at[16..], records[i].Offset);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)));
        AtomicFile.WriteAllBytes(Path.ChangeExtension(packPath, IndexExtension), bytes);
    }

    private sealed record PackRecord(UInt128 Key, long Offset, byte[] Bytes);

    /// <summary>One pack as this process knows it: how far it has been read, and a handle to read records by offset.</summary>
    private sealed class Pack(string path, int number)
    {
        private Microsoft.Win32.SafeHandles.SafeFileHandle? _handle;
        private readonly Lock _open = new();

        public string Path { get; } = path;
        public int Number { get; } = number;
        public bool Sealed { get; private set; }
        public bool OwnedHere { get; set; }

        /// <summary>Where the next scan starts: the first byte not yet read as a whole record.</summary>
        public long ScannedEnd { get; private set; }

        public long Length()
        {
            try { return new FileInfo(Path).Length; }
            catch (IOException) { return 0; }
        }

        public void MarkSealed() => Sealed = true;

        public bool TryLoadIndex(PackIndex index)
        {
            if (!RentedFile.TryRead(System.IO.Path.ChangeExtension(Path, IndexExtension), out var file)) return false;
            using (file)
            {
                var bytes = file.Bytes;
                if (bytes.Length < 24 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != IndexMagic) return false;
                var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
                if (count < 0 || (long)count * IndexEntrySize + 24 != bytes.Length) return false;
                if (BinaryPrimitives.ReadUInt64LittleEndian(bytes[^8..]) != XxHash64.HashToUInt64(bytes[..^8])) return false;
                // An index describes the pack as sealed; a pack that grew or shrank since is scanned instead.
                if (BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]) != Length()) return false;
                index.Reserve(count);
                for (var i = 0; i < count; i++)
                {
                    var at = bytes.Slice(16 + IndexEntrySize * i, IndexEntrySize);
                    var offset = BinaryPrimitives.ReadInt64LittleEndian(at[16..]);
                    if (offset < 0 || offset >= 1L << PackShift) return false;
                    index[BinaryPrimitives.ReadUInt128LittleEndian(at)] = ((long)Number << PackShift) | offset;
                }
                Sealed = true;
                return true;
            }
        }

        /// <summary>Reads the records past <see cref="ScannedEnd"/> into the index; returns the end of the last whole record.</summary>
        public long ScanFrom(PackIndex index, bool fromStart = false)
        {
            var start = fromStart ? 0 : ScannedEnd;
            // An empty pack has nothing to read, and a pipe or device planted as one would block the open.
            if (StoreFile.ReportsNoBytes(Path)) return start;
            byte[] data;
            try
            {
                using var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var length = RandomAccess.GetLength(handle);
                if (length <= start) return start;
                // Unsealed packs stay under SealBytes plus one entry; anything longer is not a pack this code wrote.
                if (length - start > SealBytes + MaxPayload + HeaderSize) return start;
                data = new byte[length - start];
                var read = 0;
                while (read < data.Length)
                {
                    var n = RandomAccess.Read(handle, data.AsSpan(read), start + read);
                    if (n == 0) break;
                    read += n;
                }
                if (read < data.Length) data = data[..read];
            }
            catch (FileNotFoundException) { return start; }
            catch (DirectoryNotFoundException) { return start; }
            var at = 0;
            var lastWhole = 0;
            var stopAt = data.Length;
            while (at < data.Length)
            {
                if (TryDecode(data, at, out var id, out var total))
                {
                    index[id] = ((long)Number << PackShift) | (start + at);
                    at += total;
                    lastWhole = at;
                    continue;
                }
                // A record cut short at the end is being written (or was torn by a kill): read it next time.
                if (data.Length - at < HeaderSize ||
                    (BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at)) == RecordMagic &&
                     BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(at + 4)) is var claimed && claimed >= 0 && claimed <= MaxPayload &&
                     data.Length - at - HeaderSize < claimed))
                {
                    stopAt = at;
                    break;
                }
                // A damaged record: skip to the next magic and go on.
                var next = data.AsSpan(at + 1).IndexOf("RAE1"u8);
                if (next < 0)
                {
                    stopAt = data.Length;
                    break;
                }
                at += 1 + next;
            }
            ScannedEnd = start + stopAt;
            return start + lastWhole;
        }

        public List<PackRecord> ReadAll()
        {
            var records = new List<PackRecord>();
            byte[] data;
            try
            {
                if (StoreFile.ReportsNoBytes(Path) || new FileInfo(Path).Length > SealBytes + MaxPayload + HeaderSize) return records;
                data = File.ReadAllBytes(Path);
            }
            catch (IOException) { return records; }
            var at = 0;
            while (at < data.Length)
            {
                if (TryDecode(data, at, out var id, out var total))
                {
                    records.Add(new PackRecord(id, at, data.AsSpan(at, total).ToArray()));
                    at += total;
                    continue;
                }
                var next = data.AsSpan(at + 1).IndexOf("RAE1"u8);
                if (next < 0) break;
                at += 1 + next;
            }
            return records;
        }

        /// <summary>Reads the header at <paramref name="offset"/>; true when it is a record of <paramref name="id"/>.</summary>
        public bool TryReadHeader(long offset, UInt128 id, Span<byte> header, out Microsoft.Win32.SafeHandles.SafeFileHandle? handle)
        {
            handle = null;
            try
            {
                lock (_open)
                {
                    if (_handle is null && StoreFile.ReportsNoBytes(Path)) return false;
                    handle = _handle ??= File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                }
            }
            catch (FileNotFoundException) { return false; }
            catch (DirectoryNotFoundException) { return false; }
            if (RandomAccess.Read(handle, header, offset) != HeaderSize) return false;
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != RecordMagic) return false;
            var size = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            return size >= 0 && size <= MaxPayload && TryParseKey(header.Slice(16, 32), out var found) && found == id;
        }

        public byte[]? ReadRecord(long offset, UInt128 id, out int length, out DateTime written)
        {
            length = 0;
            written = default;
            Span<byte> header = stackalloc byte[HeaderSize];
            if (!TryReadHeader(offset, id, header, out var handle)) return null;
            var size = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            var buffer = ArrayPool<byte>.Shared.Rent(size);
            var read = 0;
            while (read < size)
            {
                var n = RandomAccess.Read(handle!, buffer.AsSpan(read, size - read), offset + HeaderSize + read);
                if (n == 0) break;
                read += n;
            }
            if (read < size || BinaryPrimitives.ReadUInt64LittleEndian(header[48..]) != Checksum(header[..48], buffer.AsSpan(0, size)))
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return null;
            }
            length = size;
            written = WrittenOf(header);
            return buffer;
        }
    }

    /// <summary>This process's open pack: its lock, a write handle, and where the next record goes.</summary>
    private sealed class Writer : IDisposable
    {
        private readonly FileStream _lock;
        private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle;
        private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _changes;

        // The pack's records (key, offset), kept as they are appended, for its index when it is sealed.
        private readonly List<(UInt128 Key, long Offset)> _records;

        public Writer(Pack pack, FileStream exclusive, long end, string root, List<(UInt128 Key, long Offset)> records)
        {
            _records = records;
            Pack = pack;
            _lock = exclusive;
            _handle = File.OpenHandle(pack.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            // A torn last record (a build killed mid-write) is cut before anything is appended after it.
            if (RandomAccess.GetLength(_handle) != end) RandomAccess.SetLength(_handle, end);
            Length = end;
            pack.OwnedHere = true;
            _changes = OpenChanges(root);
        }

        public Pack Pack { get; }
        public long Length { get; private set; }

        public long Append(UInt128 key, ReadOnlySpan<byte> record)
        {
            var offset = Length;
            _records.Add((key, offset));
            RandomAccess.Write(_handle, record, offset);
            Length += record.Length;
            Signal(_changes);
            return offset;
        }

        /// <summary>Writes the pack's index, so readers stop scanning it, and lets it go.</summary>
        public void Seal()
        {
            WriteIndex(Pack.Path, _records, Length);
            Pack.MarkSealed();
            Dispose();
        }

        public void Dispose()
        {
            Pack.OwnedHere = false;
            _handle.Dispose();
            _changes.Dispose();
            _lock.Dispose();
        }
    }
}
