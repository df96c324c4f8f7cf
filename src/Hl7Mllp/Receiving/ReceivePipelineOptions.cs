using Hl7Mllp.Acks;
using Hl7Mllp.Messages;
using Hl7Mllp.Validation;

namespace Hl7Mllp.Receiving;

/// <summary>Settings of a <see cref="ReceivePipeline"/>: the seed's "HL7 Receiver Settings" that concern one message.</summary>
/// <remarks>The pipeline reads these once, in its constructor; later changes have no effect.</remarks>
public sealed class ReceivePipelineOptions
{
    /// <summary>The default <see cref="MaxErrors"/>: 20.</summary>
    public const int DefaultMaxErrors = 20;

    /// <summary>
    /// Gets or sets the accepted MSH-11 processing IDs, as the seed defines them: blank accepts any; otherwise a
    /// message is accepted when its MSH-11.1 appears anywhere in this text (case-sensitive), e.g. <c>P</c> or
    /// <c>DT</c>, and rejected with HL7 error 202 (AR) otherwise. A blank MSH-11 is accepted (Named Fields validation
    /// of required fields reports it). Default: <see langword="null"/> (any).
    /// </summary>
    public string? ProcessingIds { get; set; }

    /// <summary>
    /// Gets or sets whether a blank MSH-10 is accepted (the seed's Track Dupe Control IDs = -1). When
    /// <see langword="false"/>, such a message is rejected with HL7 error 101 at MSH-10 (AE). Default <see langword="false"/>.
    /// </summary>
    public bool AllowBlankControlId { get; set; }

    /// <summary>Gets or sets what a duplicate gets. Default: <see cref="Receiving.DuplicateHandling.Reject"/> (AR, error 205), as in the seed.</summary>
    public DuplicateHandling DuplicateHandling { get; set; } = DuplicateHandling.Reject;

    /// <summary>
    /// Gets or sets whether a message whose text encoding is UTF-8 (MSH-18 <c>UNICODE UTF-8</c>, or the configured or
    /// fallback encoding) must be valid UTF-8. When <see langword="true"/>, invalid bytes are rejected with HL7 error
    /// 102 at MSH-18 (AE). When <see langword="false"/> (the default), the bytes are stored exactly as received and
    /// decoding a value replaces invalid bytes with U+FFFD.
    /// </summary>
    public bool RejectInvalidText { get; set; }

    /// <summary>Gets or sets how many errors are reported at most (ERR segments per ACK); further errors are dropped. Default: <see cref="DefaultMaxErrors"/> (20).</summary>
    public int MaxErrors { get; set; } = DefaultMaxErrors;

    /// <summary>
    /// Gets or sets the receive rules (the seed's "Rules"): each rule that matches adds its error (code, text, location
    /// from a leading HL7 key) after the control ID check. Default: <see langword="null"/> (no rules).
    /// </summary>
    public Hl7RuleSet? Rules { get; set; }

    /// <summary>
    /// Gets or sets the Named Fields definition messages are validated against (e.g.
    /// <see cref="NamedFieldsDefinition.BuiltIn"/> <c>"2.5.1"</c>), after the rules. Default: <see langword="null"/> (no validation).
    /// </summary>
    public NamedFieldsDefinition? NamedFields { get; set; }

    /// <summary>Gets or sets what Named Fields validation checks (the seed's "Validation Flags"). Default: <see cref="ValidationFlags.All"/>.</summary>
    public ValidationFlags ValidationFlags { get; set; } = ValidationFlags.All;

    /// <summary>Gets or sets how ACKs are built (MSH and ERR templates, time zone). Default: the swapped sender MSH and the ERR form of the message's version.</summary>
    public AckBuilderOptions Ack { get; set; } = new();

    /// <summary>Gets or sets how messages are decoded: a fixed encoding, or MSH-18 with a fallback (default: MSH-18, else UTF-8).</summary>
    public Hl7ParseOptions Parse { get; set; } = new();

    /// <summary>
    /// Gets or sets how long the fragments of a continued message (MSH-14 / DSC, HL7 "continuation") are held waiting
    /// for the rest; <see cref="TimeSpan.Zero"/> (the default) turns reassembly off, so every fragment is checked and
    /// stored durably as a message of its own before it is acknowledged. Default: <see cref="TimeSpan.Zero"/> (off).
    /// </summary>
    /// <remarks>
    /// <para><b>Warning: with reassembly on, acknowledged fragments are held in memory only.</b> Each fragment but the
    /// last is answered AA as soon as it is held, before any check and before anything is stored; the whole message is
    /// checked and stored only when its last fragment arrives. If the rest never comes (timeout, dropped as too large or
    /// too many pending) or the process stops, the acknowledged fragments are lost and the sender will not resend them.
    /// This breaks the "ACK only after the message is durable" promise for held fragments; turn it on only when the
    /// sender can live with that.</para>
    /// </remarks>
    public TimeSpan ContinuationTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>Gets or sets the largest reassembled message, in bytes; a larger one is dropped and its fragment rejected (error 100). Security limit. Default: 10 MiB.</summary>
    public int MaxContinuationBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// Gets or sets the most bytes held for all continued messages together (pending ones, and completed ones kept to
    /// answer a resent last fragment); beyond it the oldest are dropped. Security limit. Default: 64 MiB.
    /// </summary>
    public long MaxHeldContinuationBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Gets or sets how many continued messages may wait for fragments at once; beyond it the oldest is dropped. Security limit. Default: 64.</summary>
    public int MaxPendingContinuations { get; set; } = 64;

    /// <summary>
    /// Gets or sets how many per-message warnings (a rejection, a duplicate, an unparseable frame, a key not recorded)
    /// are logged in each <see cref="WarningLogInterval"/>; the rest of that interval's warnings are only counted, and
    /// the first warning after it is preceded by one line saying how many were left out. 0 logs every warning.
    /// Default: 0 (no limit).
    /// </summary>
    /// <remarks>
    /// A sender that keeps sending invalid messages otherwise costs one log line per message, and under load the log
    /// (a console above all) becomes the bottleneck. Counters and metrics count every message whatever this limit.
    /// Errors (store and step failures) are never limited.
    /// </remarks>
    public int MaxWarningsPerInterval { get; set; }

    /// <summary>Gets or sets the interval <see cref="MaxWarningsPerInterval"/> applies to. Default: 10 seconds.</summary>
    public TimeSpan WarningLogInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the application's steps, run in order after the built-in checks and before the store. Default: none.</summary>
    public IList<IReceiveStep> Steps { get; } = [];

    internal void Validate()
    {
        List<string> problems = [];
        if (MaxErrors < 1)
        {
            problems.Add($"{nameof(MaxErrors)} must be at least 1, not {MaxErrors}.");
        }

        if (ContinuationTimeout < TimeSpan.Zero)
        {
            problems.Add($"{nameof(ContinuationTimeout)} must not be negative.");
        }

        if (MaxContinuationBytes < 1 || MaxHeldContinuationBytes < 1 || MaxPendingContinuations < 1)
        {
            problems.Add($"{nameof(MaxContinuationBytes)}, {nameof(MaxHeldContinuationBytes)} and {nameof(MaxPendingContinuations)} must be at least 1.");
        }

        if (!Enum.IsDefined(DuplicateHandling))
        {
            problems.Add($"{nameof(DuplicateHandling)} {DuplicateHandling} is not defined.");
        }

        if (Ack is null)
        {
            problems.Add($"{nameof(Ack)} is required.");
        }

        if (Parse is null)
        {
            problems.Add($"{nameof(Parse)} is required.");
        }

        if (Steps.Any(static step => step is null))
        {
            problems.Add($"{nameof(Steps)} contains a null step.");
        }

        if (MaxWarningsPerInterval < 0 || WarningLogInterval <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(MaxWarningsPerInterval)} must not be negative and {nameof(WarningLogInterval)} must be positive.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid receive pipeline options: " + string.Join(" ", problems), "options");
        }
    }
}
