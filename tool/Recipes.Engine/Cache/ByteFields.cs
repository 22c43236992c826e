namespace Recipes.Cache;

/// <summary>Splitting lines of the cache's own tab-separated files, in UTF-8, at ASCII separators.</summary>
public static class ByteFields
{
    /// <summary>Cuts <paramref name="text"/> at <paramref name="separator"/> into at most ranges.Length pieces (the last takes the rest).</summary>
    public static int Cut(ReadOnlySpan<byte> text, byte separator, Span<Range> ranges)
    {
        var count = 0;
        var start = 0;
        while (count < ranges.Length - 1)
        {
            var at = text[start..].IndexOf(separator);
            if (at < 0) break;
            ranges[count++] = new Range(start, start + at);
            start += at + 1;
        }
        ranges[count++] = new Range(start, text.Length);
        return count;
    }
}
