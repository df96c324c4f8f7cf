namespace Hl7Mllp.Sending;

/// <summary>The kinds of <see cref="TransmitterEventArgs"/>.</summary>
public enum TransmitterEventKind
{
    /// <summary>The receiver accepted a message, and the source completed it.</summary>
    MessageAccepted = 0,

    /// <summary>One attempt at a message failed; another may follow.</summary>
    AttemptFailed = 1,

    /// <summary>A message failed finally and was completed at the source as failed (<see cref="TransmitterFailurePolicy.Skip"/>).</summary>
    MessageFailed = 2,

    /// <summary>A message failed finally and blocks the queue (<see cref="TransmitterFailurePolicy.Block"/>).</summary>
    Blocked = 3,

    /// <summary>The schedule turned on.</summary>
    ScheduleStarted = 4,

    /// <summary>The schedule turned off.</summary>
    ScheduleStopped = 5,
}
