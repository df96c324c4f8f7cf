using System.Buffers.Text;

namespace Hl7Mllp.Messages;

/// <summary>
/// Splits a batch (<c>[FHS] { [BHS] { MSH … } [BTS] } [FTS]</c>) or messages written back to back into one byte slice
/// per message, and reports an envelope that is out of order or whose BTS-1/FTS-1 counts disagree with what it holds.
/// </summary>
/// <remarks>
/// Slices are views over the input; nothing is copied. Content before the first MSH that is not a batch header
/// becomes a slice of its own, so that parsing it reports what is wrong. Problems never contain message content.
/// </remarks>
public sealed class Hl7Batch
{
    private readonly List<ReadOnlyMemory<byte>> _messages = [];
    private readonly List<Hl7ParseError> _problems = [];

    private Hl7Batch()
    {
    }

    /// <summary>Gets the messages, in order, each a slice of the input starting at its MSH.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Messages => _messages;

    /// <summary>Gets what is wrong with the envelope (order, missing trailers, counts); empty when nothing is.</summary>
    public IReadOnlyList<Hl7ParseError> Problems => _problems;

    /// <summary>Gets whether the input has an FHS, BHS, BTS or FTS segment.</summary>
    public bool HasEnvelope => EnvelopeSegmentCount > 0;

    /// <summary>Gets the number of FHS, BHS, BTS and FTS segments.</summary>
    public int EnvelopeSegmentCount { get; private set; }

    /// <summary>Gets the number of envelope segments before the first message (for example FHS and BHS).</summary>
    public int LeadingEnvelopeSegmentCount { get; private set; }

    /// <summary>Gets the number of batches (BHS segments).</summary>
    public int BatchCount { get; private set; }

    /// <summary>Splits bytes into messages.</summary>
    /// <param name="bytes">A batch file, one message, or messages back to back; a leading UTF-8 BOM is skipped.</param>
    /// <returns>The messages and the problems found in the envelope.</returns>
    public static Hl7Batch Split(ReadOnlyMemory<byte> bytes)
    {
        var batch = new Hl7Batch();
        batch.Read(bytes);
        return batch;
    }

    private void Read(ReadOnlyMemory<byte> bytes)
    {
        int offset = bytes.Span.StartsWith(Hl7Scanner.Utf8Bom) ? Hl7Scanner.Utf8Bom.Length : 0;
        ReadOnlySpan<byte> span = bytes.Span;
        int position = offset;
        int messageStart = -1;
        int messagesInBatch = 0;
        bool batchOpen = false;
        bool fileHeader = false;
        bool fileTrailer = false;
        while (Hl7Scanner.TryReadSegment(span, ref position, out int start, out int length))
        {
            ReadOnlySpan<byte> segment = span.Slice(start, length);
            ReadOnlySpan<byte> id = segment[..Math.Min(3, segment.Length)];
            bool envelope = id.SequenceEqual("FHS"u8) || id.SequenceEqual("BHS"u8) || id.SequenceEqual("BTS"u8) || id.SequenceEqual("FTS"u8);
            if (!envelope)
            {
                if (messageStart < 0 || id.SequenceEqual("MSH"u8))
                {
                    EndMessage(bytes, ref messageStart, start);
                    messageStart = start;
                    messagesInBatch++;
                }

                continue;
            }

            EndMessage(bytes, ref messageStart, start);
            EnvelopeSegmentCount++;
            if (_messages.Count == 0)
            {
                LeadingEnvelopeSegmentCount++;
            }

            switch (id[1])
            {
                case (byte)'H' when id[0] == (byte)'F':
                    if (fileHeader || EnvelopeSegmentCount > 1 || _messages.Count > 0)
                    {
                        Problem(Hl7ErrorCode.SegmentSequenceError, start, $"FHS at byte {start} is not the first segment");
                    }

                    fileHeader = true;
                    break;
                case (byte)'H':
                    if (batchOpen)
                    {
                        Problem(Hl7ErrorCode.SegmentSequenceError, start, $"BHS at byte {start} opens a batch before the previous one is closed by BTS");
                    }

                    if (fileTrailer)
                    {
                        Problem(Hl7ErrorCode.SegmentSequenceError, start, $"BHS at byte {start} follows FTS");
                    }

                    batchOpen = true;
                    BatchCount++;
                    messagesInBatch = 0;
                    break;
                case (byte)'T' when id[0] == (byte)'B':
                    if (!batchOpen)
                    {
                        Problem(Hl7ErrorCode.SegmentSequenceError, start, $"BTS at byte {start} closes no batch");
                    }

                    CheckCount(segment, start, "BTS-1", "messages", messagesInBatch);
                    batchOpen = false;
                    break;
                default:
                    if (batchOpen)
                    {
                        Problem(Hl7ErrorCode.SegmentSequenceError, start, $"FTS at byte {start} comes before the BTS of the open batch");
                        batchOpen = false;
                    }

                    if (!fileHeader || fileTrailer)
                    {
                        Problem(Hl7ErrorCode.SegmentSequenceError, start, $"FTS at byte {start} closes no file batch");
                    }

                    CheckCount(segment, start, "FTS-1", "batches", BatchCount);
                    fileTrailer = true;
                    break;
            }
        }

        EndMessage(bytes, ref messageStart, span.Length);
        if (batchOpen)
        {
            Problem(Hl7ErrorCode.SegmentSequenceError, span.Length, $"BTS missing at byte {span.Length}: the last batch is not closed");
        }

        if (fileHeader && !fileTrailer)
        {
            Problem(Hl7ErrorCode.SegmentSequenceError, span.Length, $"FTS missing at byte {span.Length}: the file batch is not closed");
        }
    }

    private void EndMessage(ReadOnlyMemory<byte> bytes, ref int messageStart, int end)
    {
        if (messageStart >= 0)
        {
            _messages.Add(bytes[messageStart..end]);
            messageStart = -1;
        }
    }

    private void CheckCount(ReadOnlySpan<byte> segment, int start, string field, string what, int actual)
    {
        if (segment.Length < 4
            || !Hl7Scanner.TryGetField(segment, segment[3], 1, out int fieldStart, out int fieldLength, out _))
        {
            return;
        }

        ReadOnlySpan<byte> text = segment.Slice(fieldStart, fieldLength).Trim((byte)' ');
        if (text.IsEmpty)
        {
            return;
        }

        if (!Utf8Parser.TryParse(text, out int declared, out int consumed) || consumed != text.Length || declared < 0)
        {
            Problem(Hl7ErrorCode.DataTypeError, start + fieldStart, $"{field} at byte {start + fieldStart} is not a count");
        }
        else if (declared != actual)
        {
            Problem(Hl7ErrorCode.NonConformantCardinality, start, $"{field} at byte {start} declares {declared} {what} but there are {actual}");
        }
    }

    private void Problem(Hl7ErrorCode code, int position, string reason) => _problems.Add(new Hl7ParseError(code, position, reason));
}
