namespace Hl7Mllp.Receiving;

/// <summary>A snapshot of a <see cref="ReceivePipeline"/>'s counters since it was created (RELIABILITY E2). The same counts are published on the <c>Hl7Mllp</c> meter.</summary>
/// <param name="Received">Messages handled (every call).</param>
/// <param name="Stored">Messages stored and acknowledged positively.</param>
/// <param name="Rejected">Messages answered with a negative ACK because of what they contain (validation, processing ID, control ID, duplicates under <see cref="DuplicateHandling.Reject"/>).</param>
/// <param name="Unparseable">Payloads that did not parse as HL7.</param>
/// <param name="Duplicates">Duplicates recognised (rejected or acknowledged again).</param>
/// <param name="StoreFailures">Store calls that threw (answered with 207).</param>
/// <param name="StepFailures">Custom steps that threw (answered with 207).</param>
/// <param name="AcceptAcksSuppressed">Messages for which MSH-15 asked for no accept ACK, so none was written.</param>
public readonly record struct ReceivePipelineCounters(
    long Received,
    long Stored,
    long Rejected,
    long Unparseable,
    long Duplicates,
    long StoreFailures,
    long StepFailures,
    long AcceptAcksSuppressed);
