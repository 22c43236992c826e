using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Recipes.Plugins.Formats;

/// <summary>
/// A numeric array held inside a numpy object array: its dtype as numpy spells it without byte order (<c>f4</c>,
/// <c>f8</c>, <c>i4</c>, <c>i8</c>; little-endian), its shape, and its raw C-order bytes.
/// </summary>
public sealed record PickledArray(string Dtype, int[] Shape, byte[] Data)
{
    public static PickledArray Of(NpyArray array) => new("f4", array.Shape, MemoryMarshal.AsBytes(array.Data.AsSpan()).ToArray());

    public static PickledArray OfInt64(long[] values) => new("i8", [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    public float[] ToFloat32() => Dtype switch
    {
        "f4" => MemoryMarshal.Cast<byte, float>(Data).ToArray(),
        "f8" => MemoryMarshal.Cast<byte, double>(Data).ToArray().Select(v => (float)v).ToArray(),
        "i4" => MemoryMarshal.Cast<byte, int>(Data).ToArray().Select(v => (float)v).ToArray(),
        "i8" => MemoryMarshal.Cast<byte, long>(Data).ToArray().Select(v => (float)v).ToArray(),
        _ => throw new InvalidDataException($"dtype {Dtype} is not supported (f4, f8, i4, i8 are)"),
    };

    public long[] ToInt64() => Dtype switch
    {
        "i8" => MemoryMarshal.Cast<byte, long>(Data).ToArray(),
        "i4" => MemoryMarshal.Cast<byte, int>(Data).ToArray().Select(v => (long)v).ToArray(),
        _ => throw new InvalidDataException($"dtype {Dtype} is not an integer type (i4, i8 are)"),
    };
}

/// <summary>
/// The pickle numpy writes into a <c>.npy</c> whose dtype is <c>object</c> (descr <c>'|O'</c>): a one-dimensional
/// object array whose items are numeric arrays. This is what <c>np.save</c> makes of a list of ragged arrays, e.g. a
/// (positions, particle_type) pair in the <c>gns</c> package's datasets, and what <c>np.load(..., allow_pickle=True)</c>
/// turns back into an array.
/// </summary>
/// <remarks>
/// <para>The writer emits pickle protocol 3, the protocol <c>np.save</c> itself uses: it is the first with a bytes
/// opcode, so numeric payloads go in raw (protocol 2 would wrap them in <c>_codecs.encode</c> of latin-1 text). Every
/// Python 3 reads it. It references <c>numpy.core.multiarray._reconstruct</c>, the name numpy 1.x pickles carry and
/// which numpy 2 keeps importable (without a warning) for exactly such old pickles, so numpy 1.x and 2.x both load
/// the file. No memo is written: every object is built once.</para>
/// <para>How numpy pickles an ndarray (its <c>__reduce__</c>): <c>_reconstruct(numpy.ndarray, (0,), b'b')</c> makes an
/// empty array, then BUILD calls <c>__setstate__((1, shape, dtype, is_fortran, data))</c>, where data is the raw bytes
/// for a numeric dtype and a list of the items for <c>object</c>. A dtype pickles as <c>numpy.dtype(name, False, True)</c>
/// followed by BUILD with <c>(3, byte_order, None, None, None, -1, -1, flags)</c>; flags are 0 for plain numbers and 63
/// for <c>object</c> (numpy's NPY_OBJECT_DTYPE_FLAGS).</para>
/// <para>The reader runs the same subset of the pickle machine, enough for what this writer and numpy's own
/// <c>np.save</c> (protocols 2 to 5) write for such arrays.</para>
/// </remarks>
public static class NumpyPickle
{
    // Opcodes (CPython's Lib/pickletools.py documents each one).
    private const byte Proto = 0x80, Frame = 0x95, Stop = (byte)'.', Mark = (byte)'(', Global = (byte)'c', StackGlobal = 0x93,
        Reduce = (byte)'R', Build = (byte)'b', Tuple = (byte)'t', Tuple1 = 0x85, Tuple2 = 0x86, Tuple3 = 0x87, EmptyTuple = (byte)')',
        EmptyList = (byte)']', Append = (byte)'a', Appends = (byte)'e', List = (byte)'l', None = (byte)'N', NewTrue = 0x88, NewFalse = 0x89,
        BinInt = (byte)'J', BinInt1 = (byte)'K', BinInt2 = (byte)'M', BinUnicode = (byte)'X', ShortBinUnicode = 0x8c,
        BinBytes = (byte)'B', ShortBinBytes = (byte)'C', BinBytes8 = 0x8e, BinPut = (byte)'q', LongBinPut = (byte)'r', Memoize = 0x94,
        BinGet = (byte)'h', LongBinGet = (byte)'j';

    /// <summary>Writes the pickle of a one-dimensional object array holding <paramref name="items"/>.</summary>
    public static void WriteObjectArray(Stream stream, IReadOnlyList<PickledArray> items)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Proto);
        w.Write((byte)3);
        BeginArray(w);
        // State of the outer array: (1, (n,), dtype('O'), False, [items...]).
        w.Write(Mark);
        WriteInt(w, 1);
        WriteShape(w, [items.Count]);
        WriteDtype(w, "O8", "|", flags: 63);
        w.Write(NewFalse);
        w.Write(EmptyList);
        if (items.Count > 0)
        {
            w.Write(Mark);
            foreach (var item in items) WriteNumericArray(w, item);
            w.Write(Appends);
        }
        w.Write(Tuple);
        w.Write(Build);
        w.Write(Stop);
        w.Flush();
    }

    private static void WriteNumericArray(BinaryWriter w, PickledArray array)
    {
        if (array.Count * int.Parse(array.Dtype[1..], System.Globalization.CultureInfo.InvariantCulture) != array.Data.Length)
            throw new ArgumentException($"{array.Dtype} array of shape ({string.Join(", ", array.Shape)}) needs {array.Count} items, data has {array.Data.Length} bytes");
        BeginArray(w);
        w.Write(Mark);
        WriteInt(w, 1);
        WriteShape(w, array.Shape);
        WriteDtype(w, array.Dtype, "<", flags: 0);
        w.Write(NewFalse);
        WriteBytes(w, array.Data);
        w.Write(Tuple);
        w.Write(Build);
    }

    /// <summary><c>_reconstruct(numpy.ndarray, (0,), b'b')</c>: the empty array BUILD then fills.</summary>
    private static void BeginArray(BinaryWriter w)
    {
        WriteGlobal(w, "numpy.core.multiarray", "_reconstruct");
        WriteGlobal(w, "numpy", "ndarray");
        WriteInt(w, 0);
        w.Write(Tuple1);
        WriteBytes(w, "b"u8.ToArray());
        w.Write(Tuple3);
        w.Write(Reduce);
    }

    /// <summary><c>numpy.dtype(name, False, True)</c>, then BUILD with <c>(3, order, None, None, None, -1, -1, flags)</c>.</summary>
    private static void WriteDtype(BinaryWriter w, string name, string order, int flags)
    {
        WriteGlobal(w, "numpy", "dtype");
        WriteText(w, name);
        w.Write(NewFalse);
        w.Write(NewTrue);
        w.Write(Tuple3);
        w.Write(Reduce);
        w.Write(Mark);
        WriteInt(w, 3);
        WriteText(w, order);
        w.Write(None);
        w.Write(None);
        w.Write(None);
        WriteInt(w, -1);
        WriteInt(w, -1);
        WriteInt(w, flags);
        w.Write(Tuple);
        w.Write(Build);
    }

    private static void WriteShape(BinaryWriter w, int[] shape)
    {
        w.Write(Mark);
        foreach (var d in shape) WriteInt(w, d);
        w.Write(Tuple);
    }

    private static void WriteGlobal(BinaryWriter w, string module, string name)
    {
        // GLOBAL takes two newline-terminated ASCII lines; protocol 3 has no STACK_GLOBAL.
        w.Write(Global);
        w.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private static void WriteInt(BinaryWriter w, int value)
    {
        if (value is >= 0 and < 256)
        {
            w.Write(BinInt1);
            w.Write((byte)value);
        }
        else
        {
            w.Write(BinInt); // four bytes, signed, little-endian
            w.Write(value);
        }
    }

    private static void WriteText(BinaryWriter w, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        w.Write(BinUnicode); // four-byte little-endian length, then UTF-8
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    private static void WriteBytes(BinaryWriter w, byte[] data)
    {
        if (data.Length < 256)
        {
            w.Write(ShortBinBytes);
            w.Write((byte)data.Length);
        }
        else
        {
            w.Write(BinBytes); // four-byte little-endian length: arrays up to 4 GiB, which int-indexed arrays never exceed
            w.Write((uint)data.Length);
        }
        w.Write(data);
    }

    /// <summary>Reads the pickle of a one-dimensional object array whose items are numeric arrays.</summary>
    public static IReadOnlyList<PickledArray> ReadObjectArray(Stream stream, string name = "pickle")
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var result = new Machine(memory.GetBuffer().AsSpan(0, (int)memory.Length).ToArray(), name).Run();
        if (result is not ArrayValue { IsObject: true, Items: { } items })
            throw new InvalidDataException($"{name}: the pickle does not hold a numpy object array");
        return items.Select(i => i is ArrayValue { Numeric: { } numeric } ? numeric
            : throw new InvalidDataException($"{name}: an item of the object array is not a numeric array")).ToList();
    }

    private sealed class MarkValue;

    private sealed record GlobalValue(string Name);

    private sealed class DtypeValue(string name)
    {
        public string Name { get; } = name;
        public string Order { get; set; } = "|";
    }

    private sealed class ArrayValue
    {
        public bool IsObject { get; set; }
        public List<object?>? Items { get; set; }
        public PickledArray? Numeric { get; set; }
    }

    /// <summary>The subset of the pickle virtual machine numpy's object arrays need.</summary>
    private sealed class Machine(byte[] data, string name)
    {
        private readonly List<object?> _stack = [];
        private readonly Dictionary<int, object?> _memo = [];
        private int _at;

        public object? Run()
        {
            while (true)
            {
                var op = Byte();
                switch (op)
                {
                    case Proto: Byte(); break;
                    case Frame: Take(8); break;
                    case Stop: return Pop();
                    case Mark: _stack.Add(new MarkValue()); break;
                    case Global: _stack.Add(new GlobalValue(Line() + "." + Line())); break;
                    case StackGlobal:
                        {
                            var member = (string)Pop()!;
                            _stack.Add(new GlobalValue((string)Pop()! + "." + member));
                            break;
                        }
                    case None: _stack.Add(null); break;
                    case NewTrue: _stack.Add(true); break;
                    case NewFalse: _stack.Add(false); break;
                    case BinInt1: _stack.Add((long)Byte()); break;
                    case BinInt2: _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
                    case BinInt: _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
                    case ShortBinUnicode: _stack.Add(Encoding.UTF8.GetString(Take(Byte()))); break;
                    case BinUnicode: _stack.Add(Encoding.UTF8.GetString(Take(checked((int)BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))))); break;
                    case ShortBinBytes: _stack.Add(Take(Byte()).ToArray()); break;
                    case BinBytes: _stack.Add(Take(checked((int)BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))).ToArray()); break;
                    case BinBytes8: _stack.Add(Take(checked((int)BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))).ToArray()); break;
                    case EmptyTuple: _stack.Add(Array.Empty<object?>()); break;
                    case Tuple1: _stack.Add(PopMany(1)); break;
                    case Tuple2: _stack.Add(PopMany(2)); break;
                    case Tuple3: _stack.Add(PopMany(3)); break;
                    case Tuple: _stack.Add(PopToMark()); break;
                    case EmptyList: _stack.Add(new List<object?>()); break;
                    case List: _stack.Add(PopToMark().ToList()); break;
                    case Append:
                        {
                            var item = Pop();
                            ((List<object?>)_stack[^1]!).Add(item);
                            break;
                        }
                    case Appends:
                        {
                            var items = PopToMark();
                            ((List<object?>)_stack[^1]!).AddRange(items);
                            break;
                        }
                    case BinPut: _memo[Byte()] = _stack[^1]; break;
                    case LongBinPut: _memo[checked((int)BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))] = _stack[^1]; break;
                    case Memoize: _memo[_memo.Count] = _stack[^1]; break;
                    case BinGet: _stack.Add(_memo[Byte()]); break;
                    case LongBinGet: _stack.Add(_memo[checked((int)BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))]); break;
                    case Reduce:
                        {
                            var args = (object?[])Pop()!;
                            _stack.Add(Call((GlobalValue)Pop()!, args));
                            break;
                        }
                    case Build:
                        {
                            var state = Pop();
                            SetState(_stack[^1], state);
                            break;
                        }
                    default:
                        throw new InvalidDataException($"{name}: pickle opcode 0x{op:x2} at byte {_at - 1} is not one a numpy object array needs");
                }
            }
        }

        private object Call(GlobalValue function, object?[] args) => function.Name switch
        {
            "numpy.core.multiarray._reconstruct" or "numpy._core.multiarray._reconstruct" => new ArrayValue(),
            "numpy.dtype" => new DtypeValue((string)args[0]!),
            // Protocol 2 has no bytes opcode: Python writes bytes as _codecs.encode(latin-1 text, 'latin1').
            "_codecs.encode" => Encoding.Latin1.GetBytes((string)args[0]!),
            _ => throw new InvalidDataException($"{name}: the pickle calls {function.Name}, which a numpy array does not need"),
        };

        private void SetState(object? target, object? state)
        {
            var values = (object?[])state!;
            switch (target)
            {
                case DtypeValue dtype:
                    dtype.Order = (string)values[1]!;
                    break;
                case ArrayValue array:
                    {
                        // (version, shape, dtype, is_fortran, data)
                        var shape = ((object?[])values[1]!).Select(d => checked((int)(long)d!)).ToArray();
                        var dtype = (DtypeValue)values[2]!;
                        if (values[3] is true) throw new InvalidDataException($"{name}: Fortran-ordered arrays are not supported");
                        if (dtype.Name is "O" or "O8")
                        {
                            array.IsObject = true;
                            array.Items = (List<object?>)values[4]!;
                        }
                        else
                        {
                            if (dtype.Order == ">") throw new InvalidDataException($"{name}: big-endian arrays are not supported");
                            array.Numeric = new PickledArray(dtype.Name, shape, (byte[])values[4]!);
                        }
                        break;
                    }
                default:
                    throw new InvalidDataException($"{name}: BUILD on an object that is neither an array nor a dtype");
            }
        }

        private byte Byte() => _at < data.Length ? data[_at++] : throw new InvalidDataException($"{name}: the pickle ends early");

        private ReadOnlySpan<byte> Take(int count)
        {
            if (_at + count > data.Length) throw new InvalidDataException($"{name}: the pickle ends early");
            _at += count;
            return data.AsSpan(_at - count, count);
        }

        private string Line()
        {
            var end = Array.IndexOf(data, (byte)'\n', _at);
            if (end < 0) throw new InvalidDataException($"{name}: the pickle ends early");
            var text = Encoding.ASCII.GetString(data, _at, end - _at);
            _at = end + 1;
            return text;
        }

        private object? Pop()
        {
            var value = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            return value;
        }

        private object?[] PopMany(int count)
        {
            var values = _stack.GetRange(_stack.Count - count, count).ToArray();
            _stack.RemoveRange(_stack.Count - count, count);
            return values;
        }

        private object?[] PopToMark()
        {
            var mark = _stack.FindLastIndex(v => v is MarkValue);
            if (mark < 0) throw new InvalidDataException($"{name}: the pickle pops past its stack");
            var values = _stack.GetRange(mark + 1, _stack.Count - mark - 1).ToArray();
            _stack.RemoveRange(mark, _stack.Count - mark);
            return values;
        }
    }
}
