namespace Hl7Mllp.Framing;

/// <summary>
/// The byte stream broke the MLLP framing rules in a way that ends the connection: too many or unexpected
/// bytes between frames, a frame too large (<see cref="MllpFrameTooLargeException"/>) or a frame cut short by
/// the peer (<see cref="MllpTruncatedFrameException"/>). Close the connection when it is thrown.
/// </summary>
/// <remarks>The message names the violation, sizes and stream offsets only, never message content.</remarks>
public class MllpFramingException : MllpException
{
    /// <summary>Creates an exception for a framing violation.</summary>
    /// <param name="violation">Which rule was broken.</param>
    /// <param name="position">The offset in the stream, counted from its first byte, where the violation was found.</param>
    /// <param name="message">What went wrong, without message content.</param>
    public MllpFramingException(MllpFramingViolation violation, long position, string message)
        : base(message)
    {
        Violation = violation;
        Position = position;
    }

    /// <summary>Which rule was broken.</summary>
    public MllpFramingViolation Violation { get; }

    /// <summary>
    /// The offset in the stream, counted from its first byte, where the violation was found (for a frame, the
    /// offset of its start block).
    /// </summary>
    public long Position { get; }
}
