using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Acks;

/// <summary>
/// The acknowledgment mode a received message asks for. Original mode (MSH-15 and MSH-16 both empty): one
/// application ACK (<c>AA</c>/<c>AE</c>/<c>AR</c>) is always due. Enhanced mode (either valued): an accept (commit) ACK
/// (<c>CA</c>/<c>CE</c>/<c>CR</c>) as MSH-15 asks, then an application ACK as MSH-16 asks (table 0155).
/// </summary>
/// <remarks>
/// In enhanced mode an empty or unknown MSH-15 or MSH-16 value counts as <c>AL</c>: a sender that asked for enhanced
/// mode gets an answer rather than silence. Codes are compared case-sensitively after trimming spaces.
/// </remarks>
public readonly struct AckMode : IEquatable<AckMode>
{
    private AckMode(bool isEnhanced, AckRequirement acceptAck, AckRequirement applicationAck)
    {
        IsEnhanced = isEnhanced;
        AcceptAck = acceptAck;
        ApplicationAck = applicationAck;
    }

    /// <summary>Gets original mode: no accept ACK, the application ACK always due.</summary>
    public static AckMode Original => new(false, AckRequirement.Never, AckRequirement.Always);

    /// <summary>Gets whether the message asks for enhanced mode (MSH-15 or MSH-16 valued).</summary>
    public bool IsEnhanced { get; }

    /// <summary>Gets when an accept (commit) ACK is due (MSH-15); <see cref="AckRequirement.Never"/> in original mode.</summary>
    public AckRequirement AcceptAck { get; }

    /// <summary>Gets when an application ACK is due (MSH-16); <see cref="AckRequirement.Always"/> in original mode.</summary>
    public AckRequirement ApplicationAck { get; }

    /// <summary>Reads the mode from MSH-15 and MSH-16 of a message.</summary>
    /// <param name="message">The received message.</param>
    /// <returns>The mode.</returns>
    public static AckMode Determine(in Hl7Message message)
    {
        ReadOnlySpan<byte> header = message.Header.Bytes.Span;
        byte separator = message.Delimiters.FieldByte;
        return FromFields(Field(header, separator, 15), Field(header, separator, 16), message.Delimiters.ComponentByte);
    }

    /// <summary>Reads the mode from the values of MSH-15 and MSH-16 (as <see cref="Hl7Message.AcceptAckType"/> and <see cref="Hl7Message.ApplicationAckType"/> return them).</summary>
    /// <param name="acceptAckType">MSH-15 (<c>AL</c>, <c>NE</c>, <c>ER</c>, <c>SU</c> or empty).</param>
    /// <param name="applicationAckType">MSH-16 (<c>AL</c>, <c>NE</c>, <c>ER</c>, <c>SU</c> or empty).</param>
    /// <returns>The mode.</returns>
    public static AckMode FromFields(string? acceptAckType, string? applicationAckType) =>
        FromFields(Encoding.UTF8.GetBytes(acceptAckType ?? string.Empty), Encoding.UTF8.GetBytes(applicationAckType ?? string.Empty), (byte)'^');

    /// <summary>Gets whether an accept (commit) ACK is due.</summary>
    /// <param name="success"><see langword="true"/> when the message was accepted (committed to safe storage).</param>
    /// <returns><see langword="false"/> in original mode; otherwise as MSH-15 asks.</returns>
    public bool IsAcceptAckDue(bool success) => IsEnhanced && IsDue(AcceptAck, success);

    /// <summary>Gets whether an application ACK is due.</summary>
    /// <param name="success"><see langword="true"/> when the application processed the message successfully.</param>
    /// <returns><see langword="true"/> in original mode; otherwise as MSH-16 asks.</returns>
    public bool IsApplicationAckDue(bool success) => !IsEnhanced || IsDue(ApplicationAck, success);

    /// <summary>Gets the code the receiver answers with right away for a list of errors: a commit code (<c>CA</c>/<c>CE</c>/<c>CR</c>) in enhanced mode, an application code in original mode, decided by <see cref="AckPolicy.Decide"/>.</summary>
    /// <param name="errors">The errors found; may be empty.</param>
    /// <returns>The MSA-1 code.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="errors"/> is <see langword="null"/>.</exception>
    public AckCode Decide(IReadOnlyList<Hl7Error> errors) => AckPolicy.Decide(errors, IsEnhanced);

    /// <inheritdoc />
    public bool Equals(AckMode other) =>
        IsEnhanced == other.IsEnhanced && AcceptAck == other.AcceptAck && ApplicationAck == other.ApplicationAck;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AckMode other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(IsEnhanced, AcceptAck, ApplicationAck);

    /// <summary>Describes the mode, e.g. <c>original</c> or <c>enhanced (accept ER, application AL)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => IsEnhanced
        ? $"enhanced (accept {Code(AcceptAck)}, application {Code(ApplicationAck)})"
        : "original";

    /// <summary>Compares two modes.</summary>
    /// <param name="left">The first mode.</param>
    /// <param name="right">The second mode.</param>
    /// <returns><see langword="true"/> when both are equal.</returns>
    public static bool operator ==(AckMode left, AckMode right) => left.Equals(right);

    /// <summary>Compares two modes.</summary>
    /// <param name="left">The first mode.</param>
    /// <param name="right">The second mode.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(AckMode left, AckMode right) => !left.Equals(right);

    /// <summary>Reads the mode from the raw bytes of MSH-15 and MSH-16 (only their first component counts).</summary>
    internal static AckMode FromFields(ReadOnlySpan<byte> acceptAckType, ReadOnlySpan<byte> applicationAckType, byte componentSeparator)
    {
        ReadOnlySpan<byte> accept = Hl7Scanner.FirstComponent(acceptAckType, componentSeparator);
        ReadOnlySpan<byte> application = Hl7Scanner.FirstComponent(applicationAckType, componentSeparator);
        return accept.IsEmpty && application.IsEmpty
            ? Original
            : new AckMode(true, ParseRequirement(accept), ParseRequirement(application));
    }

    private static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> header, byte separator, int field) =>
        Hl7Scanner.TryGetField(header, separator, field, out int start, out int length, out _) ? header.Slice(start, length) : default;

    private static bool IsDue(AckRequirement requirement, bool success) => requirement switch
    {
        AckRequirement.Never => false,
        AckRequirement.ErrorOnly => !success,
        AckRequirement.SuccessOnly => success,
        _ => true,
    };

    private static AckRequirement ParseRequirement(ReadOnlySpan<byte> code) =>
        code.SequenceEqual("NE"u8) ? AckRequirement.Never
        : code.SequenceEqual("ER"u8) ? AckRequirement.ErrorOnly
        : code.SequenceEqual("SU"u8) ? AckRequirement.SuccessOnly
        : AckRequirement.Always;

    private static string Code(AckRequirement requirement) => requirement switch
    {
        AckRequirement.Never => "NE",
        AckRequirement.ErrorOnly => "ER",
        AckRequirement.SuccessOnly => "SU",
        _ => "AL",
    };
}
