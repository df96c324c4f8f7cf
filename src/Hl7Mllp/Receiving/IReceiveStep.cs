namespace Hl7Mllp.Receiving;

/// <summary>
/// A step of application code in the receive pipeline. Steps run in the order of
/// <see cref="ReceivePipelineOptions.Steps"/>, after the built-in checks (processing ID, control ID, duplicates,
/// rules, Named Fields) and before the store. A step extends the pipeline by adding errors
/// (<see cref="ReceiveStepContext.AddError"/>), or replaces a built-in step: switch the built-in one off in the
/// options and do the work here. It can also take over storage (<see cref="ReceiveStepContext.SkipStore"/>).
/// </summary>
/// <remarks>
/// An exception thrown by a step is logged without message content and answered with a negative ACK, HL7 error 207
/// (application internal error); the message is then neither stored nor recorded. Steps are called for several
/// connections at once, so they must be thread-safe.
/// </remarks>
public interface IReceiveStep
{
    /// <summary>Checks or processes one message.</summary>
    /// <param name="context">The message, the errors found so far, and what the step may change.</param>
    /// <param name="cancellationToken">Signalled when the listener stops or the connection closes.</param>
    /// <returns>A task that completes when the step is done.</returns>
    ValueTask ExecuteAsync(ReceiveStepContext context, CancellationToken cancellationToken = default);
}
