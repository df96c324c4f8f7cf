using Hl7Mllp.Messages;

namespace Hl7Mllp.Acks;

/// <summary>
/// The outcome of sending one message: a returned value, never an exception. <see cref="AckCondition.Evaluate"/> makes
/// it from the ACK; the client makes <see cref="Timeout"/> and <see cref="TransportError"/> results from its
/// exceptions, so one type flows back to the message source.
/// </summary>
/// <remarks>Immutable and thread-safe. <see cref="Ack"/> is a private copy of the ACK bytes (the frame buffer is reused).</remarks>
public sealed class MllpSendResult
{
    private readonly Hl7Message _ack;
    private readonly bool _hasMessage;

    internal MllpSendResult(
        MllpSendStatus status,
        string sentControlId,
        ReadOnlyMemory<byte> ack,
        in Hl7Message parsed,
        bool hasMessage,
        string ackCode,
        string ackText,
        IReadOnlyList<Hl7Error> errors,
        string? protocolErrorReason,
        Exception? exception)
    {
        Status = status;
        SentControlId = sentControlId;
        Ack = ack;
        _ack = parsed;
        _hasMessage = hasMessage;
        AckCode = ackCode;
        AckText = ackText;
        Errors = errors;
        ProtocolErrorReason = protocolErrorReason;
        Exception = exception;
    }

    /// <summary>Gets how the send ended.</summary>
    public MllpSendStatus Status { get; }

    /// <summary>Gets whether the receiver accepted the message (<see cref="MllpSendStatus.Accepted"/>).</summary>
    public bool IsAccepted => Status == MllpSendStatus.Accepted;

    /// <summary>Gets the MSH-10 of the message that was sent.</summary>
    public string SentControlId { get; }

    /// <summary>Gets MSA-1 as written (trimmed), kept even when it is not a known code; empty when there is no ACK or no MSA.</summary>
    public string AckCode { get; }

    /// <summary>Gets MSA-3, the text message (unescaped); empty when absent.</summary>
    public string AckText { get; }

    /// <summary>Gets the errors the ACK reports, one per v2.5+ ERR segment or per v2.3 ERR-1 repetition; empty when none.</summary>
    public IReadOnlyList<Hl7Error> Errors { get; }

    /// <summary>Gets the ACK bytes as received (a copy); empty for <see cref="MllpSendStatus.Timeout"/> and <see cref="MllpSendStatus.TransportError"/>.</summary>
    public ReadOnlyMemory<byte> Ack { get; }

    /// <summary>Gets why the ACK was a protocol error (no message content, control IDs only); <see langword="null"/> otherwise.</summary>
    public string? ProtocolErrorReason { get; }

    /// <summary>Gets the exception behind a <see cref="MllpSendStatus.Timeout"/> or <see cref="MllpSendStatus.TransportError"/>; <see langword="null"/> otherwise.</summary>
    public Exception? Exception { get; }

    /// <summary>Creates the result for an ACK that did not arrive in time.</summary>
    /// <param name="sentControlId">MSH-10 of the sent message.</param>
    /// <param name="exception">The timeout exception, if any.</param>
    /// <returns>A <see cref="MllpSendStatus.Timeout"/> result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sentControlId"/> is <see langword="null"/>.</exception>
    public static MllpSendResult Timeout(string sentControlId, Exception? exception = null)
    {
        ArgumentNullException.ThrowIfNull(sentControlId);
        return new(MllpSendStatus.Timeout, sentControlId, default, default, false, string.Empty, string.Empty, [], null, exception);
    }

    /// <summary>Creates the result for a failed connection (connect, write or read).</summary>
    /// <param name="sentControlId">MSH-10 of the sent message.</param>
    /// <param name="exception">What failed.</param>
    /// <returns>A <see cref="MllpSendStatus.TransportError"/> result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sentControlId"/> or <paramref name="exception"/> is <see langword="null"/>.</exception>
    public static MllpSendResult TransportError(string sentControlId, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(sentControlId);
        ArgumentNullException.ThrowIfNull(exception);
        return new(MllpSendStatus.TransportError, sentControlId, default, default, false, string.Empty, string.Empty, [], null, exception);
    }

    /// <summary>Gets a value of the ACK by HL7 key (<c>MSA.1</c>, <c>MSA.3</c>, <c>ERR.3.1</c>, <c>ERR[2].8</c>), e.g. for SQL parameters.</summary>
    /// <param name="key">The HL7 key.</param>
    /// <returns>The unescaped text; empty when there is no parsable ACK or the key names nothing.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a valid HL7 key.</exception>
    public string GetAckValue(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Hl7Key parsed = Hl7Key.Parse(key);
        return _hasMessage ? _ack.GetValue(parsed) : string.Empty;
    }

    /// <summary>Gets the ACK as a parsed message, when it parsed.</summary>
    /// <param name="message">The message view over <see cref="Ack"/>, or the default value.</param>
    /// <returns><see langword="true"/> when the ACK bytes are an HL7 message.</returns>
    public bool TryGetAckMessage(out Hl7Message message)
    {
        message = _ack;
        return _hasMessage;
    }

    /// <summary>Describes the outcome without message content, e.g. <c>ApplicationError AE (control ID 123)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Status switch
    {
        MllpSendStatus.ProtocolError => $"ProtocolError: {ProtocolErrorReason} (control ID {SentControlId})",
        MllpSendStatus.Timeout or MllpSendStatus.TransportError => $"{Status} (control ID {SentControlId})",
        _ => $"{Status} {AckCode} (control ID {SentControlId})",
    };
}
