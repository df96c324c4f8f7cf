// INTERIM: stands in for src/Hl7Mllp/Acks until "Merge acks" lands; deleted then.
#pragma warning disable SA1402, SA1649
using Hl7Mllp.Messages;

namespace Hl7Mllp.Acks;

/// <summary>Interim.</summary>
public enum MllpSendStatus
{
    /// <summary>Interim.</summary>
    Accepted,

    /// <summary>Interim.</summary>
    ApplicationError,

    /// <summary>Interim.</summary>
    Rejected,

    /// <summary>Interim.</summary>
    ProtocolError,

    /// <summary>Interim.</summary>
    Timeout,

    /// <summary>Interim.</summary>
    TransportError,
}

/// <summary>Interim.</summary>
public sealed class MllpSendResult
{
    /// <summary>Interim.</summary>
    public MllpSendStatus Status { get; init; }

    /// <summary>Interim.</summary>
    public string AckCode { get; init; } = string.Empty;

    /// <summary>Interim.</summary>
    public string AckText { get; init; } = string.Empty;

    /// <summary>Interim.</summary>
    public ReadOnlyMemory<byte> Ack { get; init; }

    /// <summary>Interim.</summary>
    public string? ProtocolErrorReason { get; init; }

    /// <summary>Interim.</summary>
    public bool IsAccepted => Status == MllpSendStatus.Accepted;

    /// <summary>Interim.</summary>
    /// <param name="reason">Interim.</param>
    /// <param name="ack">Interim.</param>
    /// <returns>Interim.</returns>
    public static MllpSendResult ProtocolError(string reason, ReadOnlyMemory<byte> ack = default) =>
        new() { Status = MllpSendStatus.ProtocolError, ProtocolErrorReason = reason, Ack = ack };
}

/// <summary>Interim.</summary>
public sealed class AckConditionOptions
{
    /// <summary>Interim.</summary>
    public IList<string> SuccessCodes { get; set; } = ["AA", "CA"];

    /// <summary>Interim.</summary>
    public IList<string> ErrorCodes { get; set; } = ["AE", "AR", "CE", "CR"];

    /// <summary>Interim.</summary>
    public void Validate()
    {
    }
}

/// <summary>Interim.</summary>
public sealed class AckCondition
{
    private readonly AckConditionOptions _options;

    /// <summary>Interim.</summary>
    /// <param name="options">Interim.</param>
    public AckCondition(AckConditionOptions? options = null) => _options = options ?? new();

    /// <summary>Interim.</summary>
    /// <param name="sentControlId">Interim.</param>
    /// <param name="ackBytes">Interim.</param>
    /// <returns>Interim.</returns>
    public MllpSendResult Evaluate(string sentControlId, ReadOnlyMemory<byte> ackBytes)
    {
        if (!Hl7Message.TryParse(ackBytes, out var ack, out _))
        {
            return MllpSendResult.ProtocolError("The reply is not an HL7 message.", ackBytes);
        }

        string code = ack.GetValue("MSA.1");
        if (!ack.TryGetSegment("MSA", 1, out _))
        {
            return MllpSendResult.ProtocolError("The reply has no MSA segment.", ackBytes);
        }

        if (ack.GetValue("MSA.2") != sentControlId)
        {
            return MllpSendResult.ProtocolError("MSA-2 does not match the MSH-10 sent.", ackBytes);
        }

        var status = _options.SuccessCodes.Contains(code) ? MllpSendStatus.Accepted
            : code is "AR" or "CR" ? MllpSendStatus.Rejected
            : MllpSendStatus.ApplicationError;
        return new MllpSendResult { Status = status, AckCode = code, AckText = ack.GetValue("MSA.3"), Ack = ackBytes };
    }
}
