using Hl7Mllp.Acks;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Receiving;

/// <summary>What the receive pipeline did with one message: returned by <see cref="ReceivePipeline.ProcessAsync"/>.</summary>
/// <param name="Outcome">Whether the message was stored, answered as a duplicate, or rejected.</param>
/// <param name="AckCode">MSA-1 of the ACK the pipeline decided on (also when no ACK was written, see <paramref name="AckWritten"/>).</param>
/// <param name="FirstError">The error that decided MSA-1; <see cref="Hl7ErrorCode.MessageAccepted"/> when there was none.</param>
/// <param name="ErrorCount">How many errors were reported (warnings included).</param>
/// <param name="AckWritten">Whether an ACK was written to the response; <see langword="false"/> when MSH-15 asked for no accept ACK in this case.</param>
public readonly record struct ReceiveResult(ReceiveOutcome Outcome, AckCode AckCode, Hl7ErrorCode FirstError, int ErrorCount, bool AckWritten);
