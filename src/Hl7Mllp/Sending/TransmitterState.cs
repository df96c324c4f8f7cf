namespace Hl7Mllp.Sending;

/// <summary>What a transmitter is doing, as <see cref="TransmitterStatus.State"/> reports it.</summary>
public enum TransmitterState
{
    /// <summary>Not started, or stopped.</summary>
    Stopped = 0,

    /// <summary>Waiting for the next poll.</summary>
    Idle = 1,

    /// <summary>Polling the source.</summary>
    Polling = 2,

    /// <summary>Sending a message and waiting for its ACK.</summary>
    Sending = 3,

    /// <summary>Waiting before another attempt at the same message.</summary>
    Retrying = 4,

    /// <summary>A message failed finally under <see cref="TransmitterFailurePolicy.Block"/>; nothing behind it is sent until it is accepted or removed.</summary>
    Blocked = 5,

    /// <summary>The schedule is off.</summary>
    OutsideSchedule = 6,

    /// <summary>Stopping: finishing the message in flight.</summary>
    Stopping = 7,
}
