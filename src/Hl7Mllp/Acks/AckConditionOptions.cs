namespace Hl7Mllp.Acks;

/// <summary>Which MSA-1 codes of a received ACK mean success and which mean error: the seed's "Ack/Nack Error Condition".</summary>
/// <remarks>Codes are compared ignoring case and surrounding spaces. A code in neither list is an error too (with the code kept).</remarks>
public sealed class AckConditionOptions
{
    /// <summary>The success codes used when <see cref="SuccessCodes"/> is <see langword="null"/>: <c>AA</c>, <c>CA</c>.</summary>
    public static IReadOnlyList<string> DefaultSuccessCodes { get; } = ["AA", "CA"];

    /// <summary>The error codes used when <see cref="ErrorCodes"/> is <see langword="null"/>: <c>AE</c>, <c>AR</c>, <c>CE</c>, <c>CR</c>.</summary>
    public static IReadOnlyList<string> DefaultErrorCodes { get; } = ["AE", "AR", "CE", "CR"];

    /// <summary>Gets or sets the MSA-1 codes that accept the message. Default <see langword="null"/>: <see cref="DefaultSuccessCodes"/>.</summary>
    public IList<string>? SuccessCodes { get; set; }

    /// <summary>
    /// Gets or sets the MSA-1 codes that report an error. <c>AR</c> and <c>CR</c> give <see cref="MllpSendStatus.Rejected"/>,
    /// every other error code <see cref="MllpSendStatus.ApplicationError"/>. Default <see langword="null"/>: <see cref="DefaultErrorCodes"/>.
    /// </summary>
    public IList<string>? ErrorCodes { get; set; }
}
