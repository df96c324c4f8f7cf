using Hl7Mllp.Messages;
using Hl7Mllp.Storage;

namespace Hl7Mllp.Receiving;

/// <summary>What an <see cref="IReceiveStep"/> sees of one message in the receive pipeline, and what it may change.</summary>
/// <remarks>Valid only during the step's call: the message's bytes are a view over the receive buffer. Not thread-safe.</remarks>
public sealed class ReceiveStepContext
{
    private readonly List<Hl7Error> _errors;

    internal ReceiveStepContext(ReceivedMessage message, MllpReceiveContext connection, List<Hl7Error> errors)
    {
        Message = message;
        Connection = connection;
        _errors = errors;
    }

    /// <summary>Gets the parsed message with where and when it came from.</summary>
    public ReceivedMessage Message { get; }

    /// <summary>Gets the receive context of the connection (endpoints, listener name, client certificate).</summary>
    public MllpReceiveContext Connection { get; }

    /// <summary>Gets the errors found so far, in order; the first one with severity Error or Fatal decides MSA-1.</summary>
    public IReadOnlyList<Hl7Error> Errors => _errors;

    /// <summary>Gets whether an error found so far rejects the message (it will not be stored).</summary>
    public bool IsRejected => _errors.Exists(static error => error.IsRejection);

    /// <summary>
    /// Gets or sets whether the pipeline skips its <see cref="IMessageStore"/> for this message because the step has
    /// made it durable itself. The pipeline still records the key and sends the positive ACK. Default <see langword="false"/>.
    /// </summary>
    public bool SkipStore { get; set; }

    /// <summary>Adds an error to report in the ACK (one ERR each).</summary>
    /// <param name="error">The error; use <see cref="Hl7Error.At(string, Hl7ErrorCode, string, Hl7Severity)"/> to place it at an HL7 key.</param>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is <see langword="null"/>.</exception>
    public void AddError(Hl7Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        _errors.Add(error);
    }
}
