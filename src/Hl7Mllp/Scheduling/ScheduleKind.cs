namespace Hl7Mllp.Scheduling;

/// <summary>The three kinds of <see cref="Schedule"/> (seed 002, "Common Settings").</summary>
public enum ScheduleKind
{
    /// <summary>Always active. This is the default.</summary>
    Always = 0,

    /// <summary>Active between a start and a stop time of day, every day; the window may cross midnight.</summary>
    Daily = 1,

    /// <summary>Active for a period, then inactive for a period, repeating from an anchor instant.</summary>
    Cycle = 2,
}
