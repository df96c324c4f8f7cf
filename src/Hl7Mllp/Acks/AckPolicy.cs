using Hl7Mllp.Messages;

namespace Hl7Mllp.Acks;

/// <summary>
/// Which MSA-1 answers a set of errors: the first error decides; a 1xx code (table 0357) gives <c>AE</c>, a 2xx code
/// gives <c>AR</c> (<c>CE</c>/<c>CR</c> for an enhanced-mode commit ACK); no error gives <c>AA</c> (<c>CA</c>).
/// </summary>
/// <remarks>Warnings and information (<see cref="Hl7Error.IsRejection"/> false) never decide the code.</remarks>
public static class AckPolicy
{
    /// <summary>Gets the code one error calls for.</summary>
    /// <param name="code">The table 0357 code.</param>
    /// <param name="commit"><see langword="true"/> for an enhanced-mode accept (commit) ACK: <c>CE</c>/<c>CR</c> instead of <c>AE</c>/<c>AR</c>.</param>
    /// <returns><c>AA</c>/<c>CA</c> for 0; <c>AR</c>/<c>CR</c> for 200 and above; <c>AE</c>/<c>CE</c> otherwise (1xx and any other code).</returns>
    public static AckCode ForError(Hl7ErrorCode code, bool commit = false) => (int)code switch
    {
        0 => commit ? AckCode.CA : AckCode.AA,
        >= 200 => commit ? AckCode.CR : AckCode.AR,
        _ => commit ? AckCode.CE : AckCode.AE,
    };

    /// <summary>Gets the code for a list of errors: the first error that rejects (severity E or F) decides.</summary>
    /// <param name="errors">The errors in the order they were found; may be empty.</param>
    /// <param name="commit"><see langword="true"/> for an enhanced-mode accept (commit) ACK.</param>
    /// <returns>The code of the first rejecting error, or <c>AA</c> (<c>CA</c>) when none rejects.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="errors"/> is <see langword="null"/>.</exception>
    public static AckCode Decide(IReadOnlyList<Hl7Error> errors, bool commit = false)
    {
        ArgumentNullException.ThrowIfNull(errors);
        for (int i = 0; i < errors.Count; i++)
        {
            if (errors[i].IsRejection)
            {
                return ForError(errors[i].Code, commit);
            }
        }

        return commit ? AckCode.CA : AckCode.AA;
    }
}
