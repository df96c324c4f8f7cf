namespace Hl7Mllp.Acks;

/// <summary>How sending one message ended, as <see cref="MllpSendResult.Status"/> reports it.</summary>
public enum MllpSendStatus
{
    /// <summary>The receiver accepted the message: MSA-1 is a success code (default <c>AA</c> or <c>CA</c>) and MSA-2 matches MSH-10.</summary>
    Accepted = 0,

    /// <summary>The receiver found an error in the message (<c>AE</c>, <c>CE</c>, or any MSA-1 that is neither a success nor a reject code); the sender should correct it before sending it again.</summary>
    ApplicationError = 1,

    /// <summary>The receiver rejected the message (<c>AR</c> or <c>CR</c>): unsupported header values or a failure on its side; it may be sent again later.</summary>
    Rejected = 2,

    /// <summary>The answer was not a usable ACK for this message: empty, not HL7, no MSA, empty MSA-1, or MSA-2 not the sent MSH-10 (a late or foreign ACK). Never a success.</summary>
    ProtocolError = 3,

    /// <summary>No ACK arrived in time; created by the client with <see cref="MllpSendResult.Timeout"/>.</summary>
    Timeout = 4,

    /// <summary>The connection failed (connect, write or read); created by the client with <see cref="MllpSendResult.TransportError"/>.</summary>
    TransportError = 5,
}
