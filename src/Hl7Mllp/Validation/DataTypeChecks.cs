using System.Numerics;

namespace Hl7Mllp.Validation;

/// <summary>
/// The primitive HL7 data type checks: hand-written span scans, no regular expressions, no allocation. Generic over the
/// unit, so the same checks read decoded text (chars) and raw ER7 bytes: only ASCII characters are ever accepted.
/// </summary>
internal static class DataTypeChecks
{
    /// <summary>Whether <paramref name="value"/> is valid for a primitive <paramref name="check"/>; true for checks of structure only.</summary>
    public static bool IsValid(ValueCheck check, ReadOnlySpan<byte> value) => check switch
    {
        ValueCheck.Numeric => IsNumeric(value),
        ValueCheck.SequenceId => IsSequenceId(value),
        ValueCheck.Date => IsDate(value),
        ValueCheck.DateTime => IsDateTime(value),
        ValueCheck.Time => IsTime(value),
        _ => true,
    };

    /// <summary>NM: an optional leading sign, digits and at most one decimal point, at least one digit.</summary>
    public static bool IsNumeric<T>(ReadOnlySpan<T> value)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (!value.IsEmpty && (value[0] == T.CreateTruncating('+') || value[0] == T.CreateTruncating('-')))
        {
            value = value[1..];
        }

        var digits = 0;
        var points = 0;
        foreach (var c in value)
        {
            if (IsDigit(c))
            {
                digits++;
            }
            else if (c != T.CreateTruncating('.') || ++points > 1)
            {
                return false;
            }
        }

        return digits > 0;
    }

    /// <summary>SI: a non-negative integer.</summary>
    public static bool IsSequenceId<T>(ReadOnlySpan<T> value)
        where T : unmanaged, IBinaryInteger<T> => !value.IsEmpty && AllDigits(value);

    /// <summary>DT: <c>YYYY[MM[DD]]</c>, a real calendar date.</summary>
    public static bool IsDate<T>(ReadOnlySpan<T> value)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (value.Length is not (4 or 6 or 8) || !AllDigits(value))
        {
            return false;
        }

        var year = Number(value, 0, 4);
        if (year == 0)
        {
            return false;
        }

        if (value.Length == 4)
        {
            return true;
        }

        var month = Number(value, 4, 2);
        if (month is < 1 or > 12)
        {
            return false;
        }

        return value.Length == 6 || Number(value, 6, 2) is var day && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    /// <summary>TM: <c>HH[MM[SS[.S[S[S[S]]]]]][+/-ZZZZ]</c>.</summary>
    public static bool IsTime<T>(ReadOnlySpan<T> value)
        where T : unmanaged, IBinaryInteger<T> => SplitOffset(value, out var time, out var offset)
        && IsTimeOfDay(time)
        && IsOffset(offset);

    /// <summary>DTM (and the first component of TS): <c>YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]</c>.</summary>
    public static bool IsDateTime<T>(ReadOnlySpan<T> value)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (!SplitOffset(value, out var dateTime, out var offset) || !IsOffset(offset))
        {
            return false;
        }

        if (dateTime.Length <= 8)
        {
            return IsDate(dateTime);
        }

        return IsDate(dateTime[..8]) && IsTimeOfDay(dateTime[8..]);
    }

    // HH[MM[SS[.S[S[S[S]]]]]] without an offset.
    private static bool IsTimeOfDay<T>(ReadOnlySpan<T> value)
        where T : unmanaged, IBinaryInteger<T>
    {
        var point = value.IndexOf(T.CreateTruncating('.'));
        var whole = point < 0 ? value : value[..point];
        if (whole.Length is not (2 or 4 or 6) || !AllDigits(whole))
        {
            return false;
        }

        if (Number(whole, 0, 2) > 23 || (whole.Length >= 4 && Number(whole, 2, 2) > 59) || (whole.Length == 6 && Number(whole, 4, 2) > 59))
        {
            return false;
        }

        if (point < 0)
        {
            return true;
        }

        // Fractions of a second need the seconds, and at most four digits.
        var fraction = value[(point + 1)..];
        return whole.Length == 6 && fraction.Length is >= 1 and <= 4 && AllDigits(fraction);
    }

    // Splits "+ZZZZ"/"-ZZZZ" off the end; false when a sign is misplaced.
    private static bool SplitOffset<T>(ReadOnlySpan<T> value, out ReadOnlySpan<T> main, out ReadOnlySpan<T> offset)
        where T : unmanaged, IBinaryInteger<T>
    {
        var sign = value.IndexOfAny(T.CreateTruncating('+'), T.CreateTruncating('-'));
        if (sign < 0)
        {
            main = value;
            offset = default;
            return true;
        }

        main = value[..sign];
        offset = value[sign..];
        return sign > 0;
    }

    private static bool IsOffset<T>(ReadOnlySpan<T> offset)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (offset.IsEmpty)
        {
            return true;
        }

        var digits = offset[1..];
        return digits.Length == 4
            && AllDigits(digits)
            && Number(digits, 0, 2) <= 14
            && Number(digits, 2, 2) <= 59;
    }

    // A plain loop: MemoryExtensions.ContainsAnyExceptInRange allocated on every call for char spans here.
    private static bool AllDigits<T>(ReadOnlySpan<T> value)
        where T : unmanaged, IBinaryInteger<T>
    {
        foreach (var c in value)
        {
            if (!IsDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDigit<T>(T c)
        where T : unmanaged, IBinaryInteger<T> => c >= T.CreateTruncating('0') && c <= T.CreateTruncating('9');

    private static int Number<T>(ReadOnlySpan<T> digits, int start, int length)
        where T : unmanaged, IBinaryInteger<T>
    {
        var value = 0;
        foreach (var c in digits.Slice(start, length))
        {
            value = (value * 10) + int.CreateTruncating(c - T.CreateTruncating('0'));
        }

        return value;
    }
}
