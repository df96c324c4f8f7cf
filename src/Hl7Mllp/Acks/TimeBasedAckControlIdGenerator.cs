using System.Buffers.Text;
using System.Text;

namespace Hl7Mllp.Acks;

/// <summary>
/// The default control ID generator: an optional instance prefix followed by a number that is the current Unix time
/// in microseconds, or one more than the last number issued when that is larger. IDs are unique within the instance
/// under any concurrency, keep increasing across restarts (as long as fewer than a million IDs per second were issued
/// on average), and have at most 20 characters (16 digits until the year 2286, plus a prefix of up to 4).
/// </summary>
/// <remarks>
/// Thread-safe and lock-free. Share one instance between every builder of a process (the builder's default is
/// <see cref="Shared"/>); give each service instance that shares a duplicate tracker its own prefix.
/// </remarks>
public sealed class TimeBasedAckControlIdGenerator : IAckControlIdGenerator
{
    /// <summary>The longest prefix allowed: 4 characters.</summary>
    public const int MaxPrefixLength = 4;

    private readonly TimeProvider _timeProvider;
    private readonly byte[] _prefix;
    private long _last;

    /// <summary>Creates a generator.</summary>
    /// <param name="prefix">An instance prefix of up to <see cref="MaxPrefixLength"/> ASCII letters or digits; <see langword="null"/> or empty for none (the default).</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is too long or has characters other than ASCII letters and digits.</exception>
    public TimeBasedAckControlIdGenerator(string? prefix = null, TimeProvider? timeProvider = null)
    {
        prefix ??= string.Empty;
        if (prefix.Length > MaxPrefixLength || !prefix.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"A control ID prefix has at most {MaxPrefixLength} ASCII letters or digits.", nameof(prefix));
        }

        _prefix = Encoding.ASCII.GetBytes(prefix);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the process-wide generator without prefix, on the system clock.</summary>
    public static TimeBasedAckControlIdGenerator Shared { get; } = new();

    /// <summary>Gets the prefix written before every number (empty for none).</summary>
    public string Prefix => Encoding.ASCII.GetString(_prefix);

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="IAckControlIdGenerator.MaxLength"/>.</exception>
    public int WriteNext(Span<byte> destination)
    {
        if (destination.Length < IAckControlIdGenerator.MaxLength)
        {
            throw new ArgumentException($"The destination needs {IAckControlIdGenerator.MaxLength} bytes.", nameof(destination));
        }

        long next = NextNumber();
        _prefix.CopyTo(destination);
        Utf8Formatter.TryFormat(next, destination[_prefix.Length..], out int written);
        return _prefix.Length + written;
    }

    /// <summary>Gets the next control ID as a string.</summary>
    /// <returns>The control ID.</returns>
    public string Next()
    {
        Span<byte> buffer = stackalloc byte[IAckControlIdGenerator.MaxLength];
        return Encoding.ASCII.GetString(buffer[..WriteNext(buffer)]);
    }

    private long NextNumber()
    {
        long now = (_timeProvider.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
        while (true)
        {
            long last = Volatile.Read(ref _last);
            long next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return next;
            }
        }
    }
}
