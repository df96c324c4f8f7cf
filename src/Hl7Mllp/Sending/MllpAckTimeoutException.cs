namespace Hl7Mllp.Sending;

/// <summary>
/// No ACK arrived within <see cref="MllpClientOptions.AckTimeout"/> (RELIABILITY C1). The client closed the
/// connection, so a late ACK can never be taken for the next message's. The receiver may or may not have the
/// message: resend it unchanged (same MSH-10) and let the receiver's duplicate check decide.
/// </summary>
/// <remarks>The message names the control ID, the endpoint and the timeout only.</remarks>
public sealed class MllpAckTimeoutException : MllpException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="controlId">The MSH-10 of the message whose ACK did not come.</param>
    /// <param name="endPoint">The receiver, as <c>host:port</c>.</param>
    /// <param name="timeout">The ACK timeout that expired.</param>
    public MllpAckTimeoutException(string controlId, string endPoint, TimeSpan timeout)
        : base($"No ACK for message {controlId} from {endPoint} within {timeout.TotalSeconds:0.###} s; the connection was closed.")
    {
        ControlId = controlId;
        EndPoint = endPoint;
        Timeout = timeout;
    }

    /// <summary>The MSH-10 of the message whose ACK did not come.</summary>
    public string ControlId { get; }

    /// <summary>The receiver, as <c>host:port</c>.</summary>
    public string EndPoint { get; }

    /// <summary>The ACK timeout that expired.</summary>
    public TimeSpan Timeout { get; }
}
