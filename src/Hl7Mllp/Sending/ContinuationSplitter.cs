using System.Buffers;
using System.Buffers.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Sending;

/// <summary>
/// Splits a message larger than <see cref="MaxMessageBytes"/> into HL7 continuation messages (seed 000, "Continuation
/// Messages"; HL7 v2 2.10.2 and the DSC segment): fragments that are each a complete message within the limit.
/// </summary>
/// <remarks>
/// <para>
/// Rules: every fragment starts with the original MSH. Fragment 1 keeps it byte for byte (its MSH-10 is the original
/// control ID). Fragment k (k ≥ 2) gets a new MSH-10 and carries the continuation pointer in MSH-14. Every fragment but
/// the last ends with <c>DSC|&lt;pointer&gt;|F</c> (DSC-2 = F, fragmented message), where the pointer is the MSH-10 of
/// the next fragment, so fragment k + 1's MSH-14 equals fragment k's DSC-1. A segment too long for the room left is cut
/// and its rest continues in an <c>ADD</c> segment, the first segment after MSH of the next fragment. MSH, MSA, DSC,
/// PID, QRD, QRF, URD and URS are never cut: they move whole to the next fragment.
/// </para>
/// <para>
/// Control IDs are derived from the original MSH-10, so splitting the same message again (after a crash) gives the same
/// fragments and the receiver's duplicate tracker recognises re-sent ones: fragment k is <c>&lt;MSH-10&gt;-k</c> when
/// that has at most 20 characters (MSH-10 is ST of length 20 up to v2.6), otherwise 12 to 16 hexadecimal digits of a
/// 64-bit FNV-1a hash of the MSH-10, then <c>-k</c>.
/// </para>
/// <para>
/// Joining the fragments (the MSH of the first, then the segments of all, each ADD's content appended to the segment
/// before it, DSC segments dropped) gives the original bytes. A cut never falls inside a UTF-8 character or, when it
/// can be avoided, inside an escape sequence. Sizes count the message bytes without MLLP framing.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class ContinuationSplitter
{
    /// <summary>The smallest limit accepted: 256 bytes.</summary>
    public const int MinMessageBytes = 256;

    /// <summary>The most characters of a fragment's control ID: 20 (MSH-10 is ST of length 20 up to v2.6).</summary>
    public const int MaxControlIdLength = 20;

    // The shortest piece worth cutting a segment for, so fragments are not padded with slivers.
    private const int MinCut = 16;

    private static readonly string[] NonContinuable = ["MSH", "MSA", "DSC", "PID", "QRD", "QRF", "URD", "URS"];

    /// <summary>Creates a splitter.</summary>
    /// <param name="maxMessageBytes">The largest fragment, in bytes, without MLLP framing; at least <see cref="MinMessageBytes"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessageBytes"/> is less than <see cref="MinMessageBytes"/>.</exception>
    public ContinuationSplitter(int maxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, MinMessageBytes);
        MaxMessageBytes = maxMessageBytes;
    }

    /// <summary>Gets the largest fragment, in bytes.</summary>
    public int MaxMessageBytes { get; }

    /// <summary>Tells whether a segment may be cut and continued in an ADD segment.</summary>
    /// <param name="segmentId">A three-letter segment ID.</param>
    /// <returns><see langword="false"/> for MSH, MSA, DSC, PID, QRD, QRF, URD and URS, which HL7 says may not be continued; <see langword="true"/> otherwise.</returns>
    public static bool MayContinue(ReadOnlySpan<char> segmentId)
    {
        foreach (string id in NonContinuable)
        {
            if (segmentId.SequenceEqual(id))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Splits a message into continuation fragments, or returns it alone when it fits.</summary>
    /// <param name="message">The HL7 message (segments separated by CR; LF and CRLF are kept as they are).</param>
    /// <returns>The fragments in sending order; a single element, <paramref name="message"/> itself, when it is within <see cref="MaxMessageBytes"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="message"/> is not an HL7 message or has no MSH-10.</exception>
    /// <exception cref="ContinuationException">The message cannot be split within the limit (see <see cref="ContinuationException"/>).</exception>
    public IReadOnlyList<ReadOnlyMemory<byte>> Split(ReadOnlyMemory<byte> message)
    {
        if (message.Length <= MaxMessageBytes)
        {
            return [message];
        }

        var plan = new MessagePlan(message.Span);
        var fragments = new List<ReadOnlyMemory<byte>>();
        int index = 1;
        int offset = 0;
        while (true)
        {
            var header = index == 1 ? plan.OriginalHeader(message.Span) : plan.Header(index);
            int remaining = plan.RemainingLength(offset);
            if (header.Length + remaining <= MaxMessageBytes)
            {
                fragments.Add(plan.Write(message.Span, header, index, ref offset, int.MaxValue, null));
                return fragments;
            }

            byte[] pointer = plan.ControlId(index + 1);
            int footer = 3 + 1 + pointer.Length + 1 + 1 + 1;
            int budget = MaxMessageBytes - header.Length - footer;
            if (budget <= MinCut)
            {
                throw new ContinuationException($"The MSH segment ({header.Length} bytes) leaves no room in a {MaxMessageBytes}-byte fragment.");
            }

            fragments.Add(plan.Write(message.Span, header, index, ref offset, budget, pointer));
            index++;
        }
    }

    /// <summary>Where each segment of the message is, and how fragments are made from them.</summary>
    private sealed class MessagePlan
    {
        private readonly List<(int Start, int Length, int End)> _segments = [];
        private readonly byte _field;
        private readonly byte _escape;
        private readonly byte[] _controlId;
        private readonly int _headerEnd;
        private readonly byte[] _headerSegment;
        private int _next = 1;

        public MessagePlan(ReadOnlySpan<byte> bytes)
        {
            int position = 0;
            while (Hl7Scanner.TryReadSegment(bytes, ref position, out int start, out int length))
            {
                if (_segments.Count > 0)
                {
                    var last = _segments[^1];
                    _segments[^1] = (last.Start, last.Length, start);
                }

                _segments.Add((start, length, bytes.Length));
            }

            if (_segments.Count == 0 || !bytes.Slice(_segments[0].Start, _segments[0].Length).StartsWith("MSH"u8) || _segments[0].Length < 8)
            {
                throw new ArgumentException("The message does not start with an MSH segment.", nameof(bytes));
            }

            ReadOnlySpan<byte> msh = Segment(bytes, 0);
            _field = msh[3];
            int encodingEnd = msh[4..].IndexOf(_field);
            ReadOnlySpan<byte> encoding = encodingEnd < 0 ? msh[4..] : msh.Slice(4, encodingEnd);
            _escape = encoding.Length >= 3 ? encoding[2] : (byte)'\\';
            if (!Hl7Scanner.TryGetField(msh, _field, 10, out int idStart, out int idLength, out _) || idLength == 0)
            {
                throw new ArgumentException("The message has no MSH-10 (control ID).", nameof(bytes));
            }

            _controlId = msh.Slice(idStart, idLength).ToArray();
            _headerSegment = msh.ToArray();
            _headerEnd = _segments.Count > 1 ? _segments[1].Start : bytes.Length;
            for (int i = 1; i < _segments.Count; i++)
            {
                if (Segment(bytes, i).StartsWith("DSC"u8))
                {
                    throw new ContinuationException($"The message already has a DSC segment (segment {i + 1}); a fragment is not split again.");
                }
            }

        }

        public ReadOnlySpan<byte> OriginalHeader(ReadOnlySpan<byte> bytes) => bytes[.._headerEnd];

        public byte[] ControlId(int index)
        {
            if (index == 1)
            {
                return _controlId;
            }

            Span<byte> suffix = stackalloc byte[12];
            suffix[0] = (byte)'-';
            Utf8Formatter.TryFormat(index, suffix[1..], out int digits);
            suffix = suffix[..(digits + 1)];
            if (_controlId.Length + suffix.Length <= MaxControlIdLength)
            {
                return [.. _controlId, .. suffix];
            }

            ulong hash = 14695981039346656037UL;
            foreach (byte b in _controlId)
            {
                hash = (hash ^ b) * 1099511628211UL;
            }

            Span<byte> hex = stackalloc byte[16];
            Utf8Formatter.TryFormat(hash, hex, out _, new StandardFormat('X', 16));
            return [.. hex[..Math.Min(16, MaxControlIdLength - suffix.Length)], .. suffix];
        }

        /// <summary>The MSH of fragment <paramref name="index"/> (≥ 2): MSH-10 replaced, MSH-14 = its own control ID, CR.</summary>
        public byte[] Header(int index)
        {
            byte[] id = ControlId(index);
            var writer = new ArrayBufferWriter<byte>(_headerSegment.Length + 64);
            ReadOnlySpan<byte> rest = _headerSegment.AsSpan(4);
            writer.Write(_headerSegment.AsSpan(0, 4));

            // Raw pieces after "MSH|": piece 1 is MSH-2, piece n is MSH-(n+1).
            int pieces = Math.Max(13, rest.Count(_field) + 1);
            for (int piece = 1; piece <= pieces; piece++)
            {
                if (piece > 1)
                {
                    writer.Write([_field]);
                }

                ReadOnlySpan<byte> value = Hl7Scanner.TryGetPiece(rest, _field, piece, out int start, out int length) ? rest.Slice(start, length) : [];
                writer.Write(piece is 9 or 13 ? id : value);
            }

            writer.Write("\r"u8);
            return writer.WrittenSpan.ToArray();
        }

        public int RemainingLength(int offset)
        {
            int total = 0;
            for (int i = _next; i < _segments.Count; i++)
            {
                total += _segments[i].End - _segments[i].Start;
            }

            // A segment cut before continues as "ADD|" + rest.
            return offset > 0 ? total - offset + 4 : total;
        }

        public ReadOnlyMemory<byte> Write(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> header, int index, ref int offset, int budget, byte[]? pointer)
        {
            var writer = new ArrayBufferWriter<byte>(header.Length + Math.Min(budget, bytes.Length) + 64);
            writer.Write(header);
            bool wroteSegment = false;
            while (_next < _segments.Count)
            {
                var (start, length, end) = _segments[_next];
                ReadOnlySpan<byte> data = bytes.Slice(start + offset, length - offset);
                ReadOnlySpan<byte> terminator = bytes[(start + length)..end];
                int prefix = offset > 0 ? 4 : 0;
                int whole = prefix + data.Length + terminator.Length;
                if (whole <= budget)
                {
                    WritePiece(writer, prefix > 0, data, terminator);
                    budget -= whole;
                    wroteSegment = true;
                    offset = 0;
                    _next++;
                    continue;
                }

                ReadOnlySpan<byte> id = bytes.Slice(start, 3);
                Span<char> idText = [(char)id[0], (char)id[1], (char)id[2]];
                bool continuable = offset > 0 || MayContinue(idText);
                int room = budget - prefix - 1;
                if (!continuable || room < MinCut)
                {
                    if (!wroteSegment)
                    {
                        throw new ContinuationException(continuable
                            ? $"A fragment of {header.Length} header bytes leaves no room for segment {_next + 1}."
                            : $"Segment {_next + 1} ({idText.ToString()}, {length} bytes) may not be continued and does not fit in a fragment of {header.Length + budget} bytes before DSC.");
                    }

                    break;
                }

                int cut = SafeCut(data, room);
                WritePiece(writer, prefix > 0, data[..cut], "\r"u8);
                offset += cut;
                wroteSegment = true;
                break;
            }

            if (pointer is not null)
            {
                writer.Write("DSC"u8);
                writer.Write([_field]);
                writer.Write(pointer);
                writer.Write([_field]);
                writer.Write("F\r"u8);
            }

            return writer.WrittenMemory;
        }

        private void WritePiece(ArrayBufferWriter<byte> writer, bool continuation, ReadOnlySpan<byte> data, ReadOnlySpan<byte> terminator)
        {
            if (continuation)
            {
                writer.Write("ADD"u8);
                writer.Write([_field]);
            }

            writer.Write(data);
            writer.Write(terminator);
        }

        /// <summary>The longest cut of at most <paramref name="room"/> bytes that splits neither a UTF-8 character nor, when avoidable, an escape sequence.</summary>
        private int SafeCut(ReadOnlySpan<byte> data, int room)
        {
            int cut = Math.Min(room, data.Length - 1);

            // Never inside a UTF-8 sequence: step back over continuation bytes (at most three).
            for (int i = 0; i < 3 && cut > 1 && (data[cut] & 0xC0) == 0x80; i++)
            {
                cut--;
            }

            // An odd number of escape characters before the cut means it falls inside an escape sequence: cut before it.
            ReadOnlySpan<byte> before = data[..cut];
            if (before.Count(_escape) % 2 == 1)
            {
                int open = before.LastIndexOf(_escape);
                if (open >= MinCut)
                {
                    cut = open;
                }
            }

            return cut;
        }

        private ReadOnlySpan<byte> Segment(ReadOnlySpan<byte> bytes, int index) => bytes.Slice(_segments[index].Start, _segments[index].Length);
    }
}
