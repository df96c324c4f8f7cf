using Hl7Mllp.Acks;
using Hl7Mllp.Storage;

namespace Hl7Mllp.Cli.Commands;

/// <summary>
/// The crash point of <c>transmit</c> for the crash tests (<c>HL7MLLP_FAULT=after-ack-before-commit</c>, RELIABILITY
/// C8): the process ends at once when the first accepted message is about to be recorded in the source, after its
/// ACK arrived and before the source knows. On restart the message is sent again and the receiver's duplicate
/// check must recognise it.
/// </summary>
internal sealed class TransmitFaultSource(IMessageSource inner) : IMessageSource
{
    /// <summary>The fault point's name in <c>HL7MLLP_FAULT</c>.</summary>
    public const string AfterAckBeforeCommit = "after-ack-before-commit";

    /// <summary>Wraps <paramref name="source"/> when <c>HL7MLLP_FAULT</c> names this fault point; otherwise returns it as it is.</summary>
    public static IMessageSource Wrap(IMessageSource source) =>
        Environment.GetEnvironmentVariable("HL7MLLP_FAULT") == AfterAckBeforeCommit ? new TransmitFaultSource(source) : source;

    public IAsyncEnumerable<OutboundMessage> PollAsync(int max, CancellationToken cancellationToken = default) => inner.PollAsync(max, cancellationToken);

    public ValueTask CompleteAsync(OutboundMessage message, MllpSendResult result, CancellationToken cancellationToken = default)
    {
        if (result.IsAccepted)
        {
            Environment.FailFast("HL7MLLP_FAULT=" + AfterAckBeforeCommit);
        }

        return inner.CompleteAsync(message, result, cancellationToken);
    }

    public int GetPendingCount() => inner.GetPendingCount();
}
