namespace Hl7Mllp.Sending;

/// <summary>
/// A message is larger than the continuation limit and cannot be split within it: a segment that may not be continued
/// (MSH, MSA, DSC, PID, QRD, QRF, URD, URS) is larger than a fragment can hold, the header alone does not fit, or the
/// message is already a fragment (it has a DSC segment).
/// </summary>
/// <remarks>The message names the segment ID, sizes and the limit, never message content.</remarks>
public sealed class ContinuationException : MllpException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the message cannot be split, without message content.</param>
    public ContinuationException(string message)
        : base(message)
    {
    }
}
