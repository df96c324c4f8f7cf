namespace Hl7Mllp.Sending;

/// <summary>
/// What a transmitter does with a message that failed finally (rejected, or its retries used up): keep the order and
/// block, or give up on it and go on (RELIABILITY C3, F7).
/// </summary>
public enum TransmitterFailurePolicy
{
    /// <summary>
    /// Keep the order (the default): the message is not completed; nothing behind it is sent. The transmitter reports
    /// <see cref="TransmitterState.Blocked"/>, waits the polling interval, and tries the same message again (a new
    /// round of retries) until the receiver accepts it or an operator removes it from the source.
    /// </summary>
    Block = 0,

    /// <summary>
    /// Trade order for progress (the seed's rename with the fail extension; "rotate"): the message is completed at the
    /// source with its failed outcome, which dead-letters it, and the next message is sent.
    /// </summary>
    Skip = 1,
}
