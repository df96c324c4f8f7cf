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
        where T : unmanaged, IBinaryInteger<T> => value.Length is 4 or 6 or 8 && AllDigits(value) && InRange(value, value.Length);

    /// <summary>TM: <c>HH[MM[SS[.S[S[S[S]]]]]][+/-ZZZZ]</c>.</summary>
    public static bool IsTime<T>(ReadOnlySpan<T> value)
        where T : unmanaged, IBinaryInteger<T> => SplitOffset(value, out var time, out var offset)
        && IsTimeOfDay(time)
        && IsOffset(offset);

    /// <summary>DTM (and the first component of TS): <c>YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]</c>.</summary>
    public static bool IsDateTime<T>(ReadOnlySpan<T> value)
        where T : unmanaged, IBinaryInteger<T>
    {
        // One pass: digits, at most one point before the offset and at most one sign; then the positions decide.
        var point = -1;
        var sign = -1;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (IsDigit(c))
            {
                continue;
            }

            if (c == T.CreateTruncating('.') && point < 0 && sign < 0)
            {
                point = i;
            }
            else if ((c == T.CreateTruncating('+') || c == T.CreateTruncating('-')) && sign < 0)
            {
                sign = i;
            }
            else
            {
                return false;
            }
        }

        // The offset: a sign after the date and four digits, hours at most 14.
        if (sign == 0 || (sign > 0 && (value.Length - sign != 5 || Number(value, sign + 1, 2) > 14 || Number(value, sign + 3, 2) > 59)))
        {
            return false;
        }

        // Fractions of a second need the seconds, and at most four digits.
        var end = sign < 0 ? value.Length : sign;
        if (point >= 0 && (point != 14 || end - point - 1 is < 1 or > 4))
        {
            return false;
        }

        var whole = point < 0 ? end : point;
        return whole is 4 or 6 or 8 or 10 or 12 or 14 && InRange(value, whole);
    }

    // The date and time fields of the first length digits of value (4, 6, ... 14) are in range: a real calendar date, a time of day.
    private static bool InRange<T>(ReadOnlySpan<T> value, int length)
        where T : unmanaged, IBinaryInteger<T>
    {
        var year = Number(value, 0, 4);
        if (year == 0)
        {
            return false;
        }

        if (length == 4)
        {
            return true;
        }

        var month = Number(value, 4, 2);
        if (month is < 1 or > 12)
        {
            return false;
        }

        if (length == 6)
        {
            return true;
        }

        var day = Number(value, 6, 2);
        return day >= 1 && day <= DateTime.DaysInMonth(year, month)
            && (length < 10 || Number(value, 8, 2) <= 23)
            && (length < 12 || Number(value, 10, 2) <= 59)
            && (length < 14 || Number(value, 12, 2) <= 59);
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
