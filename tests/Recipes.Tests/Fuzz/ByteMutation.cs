using System.Text;
using CsCheck;

namespace Recipes.Tests.Fuzz;

/// <summary>
/// One edit of a file's bytes: a bit flipped, the file cut short, a span deleted or repeated, or a nasty token
/// inserted or written over the bytes at a position. Positions are taken modulo the length, so an edit drawn for
/// one input applies to any, and CsCheck can shrink a failing list of edits to the one that matters.
/// </summary>
public sealed record ByteMutation(int Kind, int Position, int Amount, string Token)
{
    public static readonly Gen<ByteMutation> Gen = CsCheck.Gen.Select(CsCheck.Gen.Int[0, 5], CsCheck.Gen.Int[0, int.MaxValue], CsCheck.Gen.Int[0, 255], Nasty.Token,
        (kind, position, amount, token) => new ByteMutation(kind, position, amount, token));

    /// <summary>Up to <paramref name="most"/> edits.</summary>
    public static Gen<ByteMutation[]> Many(int most = 6) => Gen.Array[0, most];

    public static byte[] ApplyAll(byte[] input, IEnumerable<ByteMutation> mutations) => mutations.Aggregate(input, (bytes, m) => m.Apply(bytes));

    public byte[] Apply(byte[] input)
    {
        var bytes = new List<byte>(input);
        var at = bytes.Count == 0 ? 0 : Position % (bytes.Count + 1);
        var token = Encoding.UTF8.GetBytes(Token);
        switch (Kind)
        {
            case 0 when bytes.Count > 0: // a bit flipped
                var i = Position % bytes.Count;
                bytes[i] ^= (byte)(1 << (Amount % 8));
                break;
            case 1: // cut short
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 2: // a span deleted
                bytes.RemoveRange(at, Math.Min(Amount, bytes.Count - at));
                break;
            case 3: // a span repeated
                var span = bytes.GetRange(at, Math.Min(Amount, bytes.Count - at));
                bytes.InsertRange(at, span);
                break;
            case 4: // a token inserted
                bytes.InsertRange(at, token);
                break;
            default: // a token written over what was there
                bytes.RemoveRange(at, Math.Min(token.Length, bytes.Count - at));
                bytes.InsertRange(at, token);
                break;
        }
        return [.. bytes];
    }

    public override string ToString() => $"{Kind}@{Position}/{Amount}:{Escaping.TerminalText.Clean(Token.Length > 40 ? Token[..40] + "..." : Token)}";
}
