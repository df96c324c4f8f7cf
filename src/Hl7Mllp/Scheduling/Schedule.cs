using System.Globalization;
using System.Text;

namespace Hl7Mllp.Scheduling;

/// <summary>
/// When a transmitter or receiver is operational (seed 002, "Common Settings"): always (the default), a daily window
/// between a start and a stop time of day (which may cross midnight), or a cycle of a period on and a period off.
/// </summary>
/// <remarks>
/// <para>
/// Times of day are wall-clock times in the offset of the instant asked about: pass
/// <see cref="TimeProvider.GetLocalNow"/> (or use <see cref="IsActive(TimeProvider)"/>) for the service's local
/// time, or a UTC instant for UTC. Across a daylight-saving change <see cref="NextChange(DateTimeOffset)"/> is
/// computed in the offset of the instant given, so callers should ask again when it is reached (the transmitter does).
/// </para>
/// <para>
/// A cycle is anchored at <see cref="Anchor"/>: an "on" period starts there and then every <see cref="On"/> +
/// <see cref="Off"/>, before and after it. The default anchor is the Unix epoch (1970-01-01T00:00:00Z), so a
/// <c>cycle 10m on 5m off</c> schedule turns on at every quarter hour of UTC.
/// </para>
/// <para>
/// The text form (<see cref="Parse"/>, <see cref="ToString"/>) is meant for configuration files: <c>always</c>,
/// <c>08:00-18:00</c>, <c>22:00-06:30</c> (crossing midnight), <c>cycle 10m on 5m off</c>,
/// <c>cycle 1h30m on 30m off from 2026-01-01T06:00:00+01:00</c>. Durations are whole numbers with a unit
/// <c>h</c>, <c>m</c> or <c>s</c>, combined largest first.
/// </para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class Schedule : IEquatable<Schedule>
{
    private Schedule(ScheduleKind kind, TimeOnly start, TimeOnly stop, TimeSpan on, TimeSpan off, DateTimeOffset anchor)
    {
        Kind = kind;
        Start = start;
        Stop = stop;
        On = on;
        Off = off;
        Anchor = anchor;
    }

    /// <summary>Gets the schedule that is always active (the default).</summary>
    public static Schedule Always { get; } = new(ScheduleKind.Always, default, default, TimeSpan.Zero, TimeSpan.Zero, DateTimeOffset.UnixEpoch);

    /// <summary>Gets the kind of schedule.</summary>
    public ScheduleKind Kind { get; }

    /// <summary>Gets, for <see cref="ScheduleKind.Daily"/>, the time of day it turns on (inclusive); otherwise midnight.</summary>
    public TimeOnly Start { get; }

    /// <summary>Gets, for <see cref="ScheduleKind.Daily"/>, the time of day it turns off (exclusive); otherwise midnight.</summary>
    public TimeOnly Stop { get; }

    /// <summary>Gets, for <see cref="ScheduleKind.Cycle"/>, how long each active period lasts; otherwise zero.</summary>
    public TimeSpan On { get; }

    /// <summary>Gets, for <see cref="ScheduleKind.Cycle"/>, how long each inactive period lasts; otherwise zero.</summary>
    public TimeSpan Off { get; }

    /// <summary>Gets, for <see cref="ScheduleKind.Cycle"/>, an instant at which an active period starts; the Unix epoch by default.</summary>
    public DateTimeOffset Anchor { get; }

    /// <summary>Creates a daily window. When <paramref name="stop"/> is earlier than <paramref name="start"/> the window crosses midnight.</summary>
    /// <param name="start">The time of day it turns on (inclusive).</param>
    /// <param name="stop">The time of day it turns off (exclusive).</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentException"><paramref name="start"/> equals <paramref name="stop"/> (use <see cref="Always"/> for a whole day).</exception>
    public static Schedule Daily(TimeOnly start, TimeOnly stop)
    {
        if (start == stop)
        {
            throw new ArgumentException("A daily window needs different start and stop times; use Schedule.Always for the whole day.", nameof(stop));
        }

        return new(ScheduleKind.Daily, start, stop, TimeSpan.Zero, TimeSpan.Zero, DateTimeOffset.UnixEpoch);
    }

    /// <summary>Creates a cycle: <paramref name="on"/> active, then <paramref name="off"/> inactive, repeating.</summary>
    /// <param name="on">How long each active period lasts; at least one second.</param>
    /// <param name="off">How long each inactive period lasts; at least one second.</param>
    /// <param name="anchor">An instant at which an active period starts; <see langword="null"/> for the Unix epoch (the default).</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="on"/> or <paramref name="off"/> is shorter than one second.</exception>
    public static Schedule Cycle(TimeSpan on, TimeSpan off, DateTimeOffset? anchor = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(on, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThan(off, TimeSpan.FromSeconds(1));
        return new(ScheduleKind.Cycle, default, default, on, off, anchor ?? DateTimeOffset.UnixEpoch);
    }

    /// <summary>Tells whether the schedule is active at an instant.</summary>
    /// <param name="time">The instant; a daily window reads its wall-clock time in <paramref name="time"/>'s offset.</param>
    /// <returns><see langword="true"/> when active.</returns>
    public bool IsActive(DateTimeOffset time) => Kind switch
    {
        ScheduleKind.Daily => IsInWindow(TimeOnly.FromTimeSpan(time.TimeOfDay)),
        ScheduleKind.Cycle => CyclePhase(time) < On,
        _ => true,
    };

    /// <summary>Tells whether the schedule is active now, in the local time of a clock.</summary>
    /// <param name="timeProvider">The clock; its <see cref="TimeProvider.GetLocalNow"/> is used.</param>
    /// <returns><see langword="true"/> when active.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    public bool IsActive(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return IsActive(timeProvider.GetLocalNow());
    }

    /// <summary>Gets the first instant after <paramref name="time"/> at which the schedule turns on or off.</summary>
    /// <param name="time">The instant to start from.</param>
    /// <returns>The next change, in <paramref name="time"/>'s offset; <see langword="null"/> for <see cref="ScheduleKind.Always"/>, which never changes.</returns>
    public DateTimeOffset? NextChange(DateTimeOffset time)
    {
        switch (Kind)
        {
            case ScheduleKind.Daily:
                TimeOnly next = IsActive(time) ? Stop : Start;
                DateTimeOffset candidate = new DateTimeOffset(time.Date, time.Offset) + next.ToTimeSpan();
                return candidate > time ? candidate : candidate.AddDays(1);
            case ScheduleKind.Cycle:
                TimeSpan phase = CyclePhase(time);
                return phase < On ? time + (On - phase) : time + (On + Off - phase);
            default:
                return null;
        }
    }

    /// <summary>Parses the text form: <c>always</c>, <c>HH:mm[:ss]-HH:mm[:ss]</c>, or <c>cycle DURATION on DURATION off [from INSTANT]</c>.</summary>
    /// <param name="text">The text (case-insensitive, surrounding white space ignored).</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException"><paramref name="text"/> is not a schedule; the message says what was expected.</exception>
    public static Schedule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out Schedule? schedule, out string? problem) ? schedule : throw new FormatException(problem);
    }

    /// <summary>Tries to parse the text form; see <see cref="Parse"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="schedule">The schedule, or <see langword="null"/> when the text is not one.</param>
    /// <returns><see langword="true"/> when the text is a schedule.</returns>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Schedule? schedule) =>
        TryParse(text, out schedule, out _);

    /// <summary>Formats the schedule in the text form that <see cref="Parse"/> reads back.</summary>
    /// <returns>For example <c>always</c>, <c>22:00-06:00</c>, <c>cycle 10m on 5m off</c>.</returns>
    public override string ToString() => Kind switch
    {
        ScheduleKind.Daily => FormatTime(Start) + "-" + FormatTime(Stop),
        ScheduleKind.Cycle => "cycle " + FormatDuration(On) + " on " + FormatDuration(Off) + " off"
            + (Anchor == DateTimeOffset.UnixEpoch ? string.Empty : " from " + Anchor.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)),
        _ => "always",
    };

    /// <inheritdoc />
    public bool Equals(Schedule? other) =>
        other is not null && Kind == other.Kind && Start == other.Start && Stop == other.Stop && On == other.On && Off == other.Off
        && Anchor.UtcTicks == other.Anchor.UtcTicks;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Schedule);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Start, Stop, On, Off, Anchor.UtcTicks);

    private static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Schedule? schedule, out string? problem)
    {
        schedule = null;
        problem = "A schedule is 'always', a daily window 'HH:mm-HH:mm', or 'cycle 10m on 5m off [from 2026-01-01T00:00:00Z]'.";
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string[] words = text.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 1 && words[0].Equals("always", StringComparison.OrdinalIgnoreCase))
        {
            schedule = Always;
            return true;
        }

        if (words.Length == 1)
        {
            return TryParseWindow(words[0], ref schedule, ref problem);
        }

        if ((words.Length != 5 && words.Length != 7)
            || !words[0].Equals("cycle", StringComparison.OrdinalIgnoreCase)
            || !words[2].Equals("on", StringComparison.OrdinalIgnoreCase)
            || !words[4].Equals("off", StringComparison.OrdinalIgnoreCase)
            || (words.Length == 7 && !words[5].Equals("from", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        if (!TryParseDuration(words[1], out TimeSpan on) || !TryParseDuration(words[3], out TimeSpan off)
            || on < TimeSpan.FromSeconds(1) || off < TimeSpan.FromSeconds(1))
        {
            problem = "A cycle's on and off periods are durations of at least one second, like 90s, 10m or 1h30m.";
            return false;
        }

        DateTimeOffset anchor = DateTimeOffset.UnixEpoch;
        if (words.Length == 7 && !DateTimeOffset.TryParse(words[6], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out anchor))
        {
            problem = "A cycle's anchor after 'from' is an ISO 8601 instant, like 2026-01-01T06:00:00+01:00.";
            return false;
        }

        schedule = Cycle(on, off, anchor);
        return true;
    }

    private static bool TryParseWindow(string word, ref Schedule? schedule, ref string? problem)
    {
        int dash = word.IndexOf('-', StringComparison.Ordinal);
        string[] formats = ["H:mm", "HH:mm", "H:mm:ss", "HH:mm:ss"];
        if (dash <= 0
            || !TimeOnly.TryParseExact(word[..dash], formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out TimeOnly start)
            || !TimeOnly.TryParseExact(word[(dash + 1)..], formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out TimeOnly stop))
        {
            return false;
        }

        if (start == stop)
        {
            problem = "A daily window needs different start and stop times; use 'always' for the whole day.";
            return false;
        }

        schedule = Daily(start, stop);
        return true;
    }

    private static bool TryParseDuration(string word, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        ReadOnlySpan<char> rest = word;
        int lastUnit = int.MaxValue;
        while (!rest.IsEmpty)
        {
            int digits = 0;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
            {
                digits++;
            }

            if (digits == 0 || digits == rest.Length || digits > 6
                || !int.TryParse(rest[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            {
                return false;
            }

            int unit = char.ToLowerInvariant(rest[digits]) switch { 'h' => 3, 'm' => 2, 's' => 1, _ => 0 };
            if (unit == 0 || unit >= lastUnit)
            {
                return false;
            }

            lastUnit = unit;
            duration += unit switch { 3 => TimeSpan.FromHours(value), 2 => TimeSpan.FromMinutes(value), _ => TimeSpan.FromSeconds(value) };
            rest = rest[(digits + 1)..];
        }

        return true;
    }

    private static string FormatTime(TimeOnly time) =>
        time.ToString(time.Second == 0 && time.Millisecond == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture);

    private static string FormatDuration(TimeSpan duration)
    {
        var text = new StringBuilder();
        long hours = (long)duration.TotalHours;
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (duration.Minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Minutes}m");
        }

        if (duration.Seconds > 0 || text.Length == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Seconds}s");
        }

        return text.ToString();
    }

    private bool IsInWindow(TimeOnly time) =>
        Start < Stop ? time >= Start && time < Stop : time >= Start || time < Stop;

    private TimeSpan CyclePhase(DateTimeOffset time)
    {
        long period = (On + Off).Ticks;
        long phase = (time.UtcTicks - Anchor.UtcTicks) % period;
        return TimeSpan.FromTicks(phase < 0 ? phase + period : phase);
    }
}
