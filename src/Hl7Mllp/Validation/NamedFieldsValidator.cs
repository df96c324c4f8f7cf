using System.Buffers;
using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Validation;

/// <summary>
/// Validates messages against a <see cref="NamedFieldsDefinition"/>: the checks selected by <see cref="Flags"/>,
/// each problem an <see cref="Hl7Error"/> with its table 0357 code and exact location.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Required field empty or absent in a present segment: <see cref="Hl7ErrorCode.RequiredFieldMissing"/> (101).</item>
/// <item>More repetitions than allowed: <see cref="Hl7ErrorCode.NonConformantCardinality"/> (198), located at the first
/// extra repetition. 198 is the table 0357 code for cardinality since v2.9; older receivers that do not know it still
/// see AE, as for every 1xx code.</item>
/// <item>A repetition longer than the maximum length (ER7 characters, escape sequences as sent): <see cref="Hl7ErrorCode.ValueTooLong"/> (104).</item>
/// <item>A value that breaks its data type (NM, SI, DT, DTM, TS, TM), separators inside a primitive value, or more
/// components or subcomponents than a composite type defines: <see cref="Hl7ErrorCode.DataTypeError"/> (102).</item>
/// <item>A primitive value missing from its table: <see cref="Hl7ErrorCode.TableValueNotFound"/> (103).</item>
/// </list>
/// Segments the definition does not know (Z segments) and fields past the defined ones are not checked; the HL7 null
/// <c>""</c> passes every value check. Finding texts name the position and field, never the value. A conforming segment
/// is passed by one check on its delimiter bit masks; only the others are walked again to build findings. No regular
/// expressions, no allocation except for findings. Lengths count characters: for UTF-8 the
/// characters the bytes decode to, for single-byte character sets the bytes; a segment in a multi-byte legacy character set
/// (where a byte of a character may look like a delimiter) is first transcoded to UTF-8. Thread-safe.
/// </remarks>
public sealed class NamedFieldsValidator
{
    // Occurrence counters taken from the stack: the built-in definitions have fewer segments.
    private const int StackOccurrences = 256;

    /// <summary>Creates a validator.</summary>
    /// <param name="definition">The definition to validate against.</param>
    /// <param name="flags">What to check. Default <see cref="ValidationFlags.All"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="definition"/> is <see langword="null"/>.</exception>
    public NamedFieldsValidator(NamedFieldsDefinition definition, ValidationFlags flags = ValidationFlags.All)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Definition = definition;
        Flags = flags;
    }

    /// <summary>The definition messages are validated against.</summary>
    public NamedFieldsDefinition Definition { get; }

    /// <summary>What is checked.</summary>
    public ValidationFlags Flags { get; }

    /// <summary>
    /// The most findings reported for one message; validation stops there, so a hostile message cannot make the
    /// ACK unbounded. Default 100.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxFindings
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 100;

    /// <summary>Walks every segment the reporting way, skipping the accept path: tests compare the two.</summary>
    internal bool ReportingWalkOnly { get; init; }

    /// <summary>Validates one message, adding an error for each problem found.</summary>
    /// <param name="message">The message.</param>
    /// <param name="errors">Receives the errors, in message order, at most <see cref="MaxFindings"/>; an <see cref="Acks.AckBuilder"/> writes them as ERR segments.</param>
    /// <returns>The number of errors added.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="errors"/> is <see langword="null"/>.</exception>
    public int Validate(in Hl7Message message, ICollection<Hl7Error> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Flags == ValidationFlags.None)
        {
            return 0;
        }

        // Occurrences per defined segment, for the %q of each error.
        var segmentCount = Definition.SegmentCount;
        int[]? rentedOccurrences = null;
        var occurrences = segmentCount <= StackOccurrences ? stackalloc int[segmentCount] : (rentedOccurrences = ArrayPool<int>.Shared.Rent(segmentCount)).AsSpan(0, segmentCount);
        occurrences.Clear();
        var encoding = message.Encoding;
        var utf8 = encoding.CodePage == Encoding.UTF8.CodePage;
        var singleByte = encoding.CodePage == Encoding.Latin1.CodePage;
        byte[]? transcoded = null;
        var delimiters = message.Delimiters;
        var walk = new Walk(this, delimiters, errors);

        // The accept path's delimiter masks, built once for the whole message.
        var text = message.Bytes.Span;
        var words = ReportingWalkOnly ? 0 : DelimiterMasks.StorageLength(text.Length);
        ulong[]? rentedMasks = null;
        var masks = words <= ConformanceCheck.StackWords ? stackalloc ulong[words] : (rentedMasks = ArrayPool<ulong>.Shared.Rent(words));
        var check = ReportingWalkOnly ? default : new ConformanceCheck(text, utf8, delimiters, masks);
        try
        {
            foreach (var segment in message.Segments)
            {
                if (walk.Stopped)
                {
                    break;
                }

                var bytes = segment.Bytes.Span;
                if (bytes.Length < 3
                    || (bytes.Length > 3 && bytes[3] != delimiters.FieldByte)
                    || !Definition.TryGetCompiledSegment(bytes[..3], out var compiled))
                {
                    continue;
                }

                var occurrence = ++occurrences[compiled.Slot];
                var segmentUtf8 = utf8;
                bool conforms;
                if (!utf8 && !singleByte && !Ascii.IsValid(bytes))
                {
                    // A legacy character set: its bytes may hide delimiter values inside characters, so walk its UTF-8
                    // (the message's masks do not apply to it: the check marks the transcoded segment's own).
                    var length = Transcode(bytes, encoding, ref transcoded);
                    bytes = transcoded.AsSpan(0, length);
                    segmentUtf8 = true;
                    conforms = !ReportingWalkOnly && ConformanceCheck.Conforms(bytes, utf8: true, compiled, delimiters, Definition);
                }
                else
                {
                    conforms = !ReportingWalkOnly && check.Conforms(segment.Position, segment.Position + bytes.Length, compiled, Definition);
                }

                // Most segments conform: a cheap check passes them, and only the others are walked again to report.
                if (!conforms)
                {
                    walk.Segment(bytes, segmentUtf8, compiled, occurrence);
                }
            }
        }
        finally
        {
            if (rentedOccurrences is not null)
            {
                ArrayPool<int>.Shared.Return(rentedOccurrences);
            }

            if (rentedMasks is not null)
            {
                ArrayPool<ulong>.Shared.Return(rentedMasks);
            }

            if (transcoded is not null)
            {
                ArrayPool<byte>.Shared.Return(transcoded);
            }
        }

        return walk.Added;
    }

    /// <summary>Re-encodes a segment as UTF-8 into <paramref name="buffer"/> (pooled, grown as needed); returns its length.</summary>
    private static int Transcode(ReadOnlySpan<byte> bytes, Encoding encoding, [System.Diagnostics.CodeAnalysis.NotNull] ref byte[]? buffer)
    {
        var chars = ArrayPool<char>.Shared.Rent(encoding.GetMaxCharCount(bytes.Length));
        try
        {
            var count = encoding.GetChars(bytes, chars);
            var needed = Encoding.UTF8.GetMaxByteCount(count);
            if (buffer is null || buffer.Length < needed)
            {
                if (buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                buffer = ArrayPool<byte>.Shared.Rent(needed);
            }

            return Encoding.UTF8.GetBytes(chars.AsSpan(0, count), buffer);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private ref struct Walk(NamedFieldsValidator validator, Hl7Delimiters delimiters, ICollection<Hl7Error> errors)
    {
        private readonly ValidationFlags _flags = validator.Flags;
        private readonly int _maxFindings = validator.MaxFindings;
        private readonly byte _fieldSeparator = delimiters.FieldByte;
        private readonly byte _componentSeparator = delimiters.ComponentByte;
        private readonly byte _repetitionSeparator = delimiters.RepetitionByte;
        private readonly byte _subcomponentSeparator = delimiters.SubcomponentByte;
        private readonly NamedFieldsDefinition _definition = validator.Definition;
        private string _segmentId = string.Empty;
        private int _occurrence;
        private bool _utf8;

        public int Added { get; private set; }

        public readonly bool Stopped => Added >= _maxFindings;

        /// <summary>Walks one segment's ER7 bytes: UTF-8 when <paramref name="utf8"/>, else one character per byte.</summary>
        public void Segment(ReadOnlySpan<byte> text, bool utf8, CompiledSegment segment, int occurrence)
        {
            _utf8 = utf8;
            _segmentId = segment.Id;
            _occurrence = occurrence;
            var fields = segment.Fields;
            var rest = text.Length > 3 ? text[4..] : [];
            var hasMore = text.Length > 3;
            var number = 1;
            ReadOnlySpan<byte> valueType = [];

            // MSH, BHS and FHS: field 1 is the field separator itself and field 2 the encoding characters,
            // which hold the separators and are therefore never split.
            if (segment.IsHeader)
            {
                if (fields.Length > 0)
                {
                    Field(hasMore ? text.Slice(3, 1) : [], fields[0], fields[0], 1, split: false);
                }

                number = 2;
            }

            for (; number <= fields.Length && !Stopped; number++)
            {
                ReadOnlySpan<byte> field = [];
                if (hasMore)
                {
                    var end = rest.IndexOf(_fieldSeparator);
                    field = end < 0 ? rest : rest[..end];
                    hasMore = end >= 0;
                    rest = end < 0 ? [] : rest[(end + 1)..];
                }

                var element = fields[number - 1];
                var valueElement = element;
                if (segment.IsObservation && number == 2)
                {
                    valueType = field;
                }
                else if (segment.IsObservation && number == 5 && element.Check == ValueCheck.None
                    && _definition.TryGetObservationValueType(valueType, out var resolved))
                {
                    // OBX-5 (VARIES) takes the data type OBX-2 names; its repetitions and length stay OBX-5's.
                    valueElement = resolved;
                }

                Field(field, element, valueElement, number, split: number != 2 || !segment.IsHeader);
            }
        }

        // element gives the field's limits; valueElement the type its values are checked as (they differ for OBX-5).
        private void Field(ReadOnlySpan<byte> field, CompiledElement element, CompiledElement valueElement, int number, bool split)
        {
            var definition = element.Definition;
            if (field.IsEmpty)
            {
                if (definition.Required && (_flags & ValidationFlags.RequiredFields) != 0)
                {
                    Report(Hl7ErrorCode.RequiredFieldMissing, new Position(number, 0, 0, 0), element, "is required");
                }

                return;
            }

            if (!split)
            {
                CheckLength(field, element, new Position(number, 1, 0, 0));
                return;
            }

            var remaining = field;
            for (var repetition = 1; !Stopped; repetition++)
            {
                var end = remaining.IndexOf(_repetitionSeparator);
                var value = end < 0 ? remaining : remaining[..end];
                var position = new Position(number, repetition, 0, 0);
                if (repetition == definition.MaxRepetitions + 1 && definition.MaxRepetitions > 0 && (_flags & ValidationFlags.Repetitions) != 0)
                {
                    var total = repetition + remaining.Count(_repetitionSeparator);
                    Report(Hl7ErrorCode.NonConformantCardinality, position, element, $"has {total} repetitions; at most {definition.MaxRepetitions} allowed");
                }

                CheckLength(value, element, position);
                if ((_flags & (ValidationFlags.DataType | ValidationFlags.TableValues)) != 0)
                {
                    Value(value, valueElement, position, depth: 0);
                }

                if (end < 0)
                {
                    break;
                }

                remaining = remaining[(end + 1)..];
            }
        }

        private void CheckLength(ReadOnlySpan<byte> value, CompiledElement element, Position position)
        {
            // A UTF-8 character takes at least one byte: only a value longer in bytes can be longer in characters.
            var max = element.Definition.MaxLength;
            if (max > 0 && value.Length > max && (_flags & ValidationFlags.MaxLength) != 0
                && (!_utf8 || Encoding.UTF8.GetCharCount(value) > max))
            {
                Report(Hl7ErrorCode.ValueTooLong, position, element, $"is longer than {max} characters");
            }
        }

        // depth 0 = a field repetition, 1 = a component, 2 = a subcomponent.
        private void Value(ReadOnlySpan<byte> value, CompiledElement element, Position position, int depth)
        {
            if (value.IsEmpty || value.SequenceEqual("\"\""u8) || Stopped)
            {
                return;
            }

            if (element.Check == ValueCheck.None)
            {
                return;
            }

            if (element.Check == ValueCheck.Composite)
            {
                Composite(value, element, position, depth);
                return;
            }

            if ((_flags & ValidationFlags.DataType) != 0)
            {
                // A primitive value holds no separators of a lower level: ER7 would have split it there.
                var extra = depth switch
                {
                    0 => value.IndexOfAny(_componentSeparator, _subcomponentSeparator) >= 0,
                    1 => value.Contains(_subcomponentSeparator),
                    _ => false,
                };
                if (extra)
                {
                    Report(Hl7ErrorCode.DataTypeError, position, element, $"is a {element.Definition.DataType} and cannot have {(depth == 0 ? "components" : "subcomponents")}");
                    return;
                }

                if (!DataTypeChecks.IsValid(element.Check, value))
                {
                    Report(Hl7ErrorCode.DataTypeError, position, element, $"is not a valid {element.Definition.DataType} value");
                    return;
                }
            }

            if ((_flags & ValidationFlags.TableValues) != 0 && element.Table is { } table && !table.Contains(value, _utf8))
            {
                Report(Hl7ErrorCode.TableValueNotFound, position, element, $"has a value not in table {element.Definition.Table}");
            }
        }

        private void Composite(ReadOnlySpan<byte> value, CompiledElement element, Position position, int depth)
        {
            var components = element.Components!;
            var separator = depth == 0 ? _componentSeparator : _subcomponentSeparator;
            var remaining = value;
            for (var index = 1; !Stopped; index++)
            {
                var end = remaining.IndexOf(separator);
                var part = end < 0 ? remaining : remaining[..end];
                var at = depth == 0 ? position with { Component = index } : position with { Subcomponent = index };
                if (index > components.Length)
                {
                    if ((_flags & ValidationFlags.DataType) != 0 && !IsEmptyTail(remaining, separator))
                    {
                        Report(Hl7ErrorCode.DataTypeError, at, element, $"has more {(depth == 0 ? "components" : "subcomponents")} than {element.Definition.DataType} defines ({components.Length})");
                    }

                    return;
                }

                Value(part, components[index - 1], at, depth + 1);
                if (end < 0)
                {
                    return;
                }

                remaining = remaining[(end + 1)..];
            }
        }

        // Trailing empty components (PID-5 "DOE^JOHN^^^^^^") carry nothing and are tolerated.
        private static bool IsEmptyTail(ReadOnlySpan<byte> tail, byte separator) => !tail.ContainsAnyExcept(separator);

        private void Report(Hl7ErrorCode code, Position position, CompiledElement element, string problem)
        {
            if (Stopped)
            {
                return;
            }

            var error = new Hl7Error(code, string.Empty)
            {
                SegmentId = _segmentId,
                Sequence = _occurrence,
                Field = position.Field,
                Repetition = position.Repetition,
                Component = position.Component,
                Subcomponent = position.Subcomponent,
            };
            var name = element.Definition.Name;
            var location = error.Location;
            errors.Add(error with { Text = name.Length > 0 ? $"{location} {name} {problem}" : $"{location} {problem}" });
            Added++;
        }
    }

    private readonly record struct Position(int Field, int Repetition, int Component, int Subcomponent);
}
