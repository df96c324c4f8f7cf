using System.Text;
using Hl7Mllp.Validation;

namespace Hl7Mllp.Tests.Validation;

public class DataTypeChecksTests
{
    [Theory]
    [InlineData("0", true)]
    [InlineData("123", true)]
    [InlineData("-1.5", true)]
    [InlineData("+2", true)]
    [InlineData(".5", true)]
    [InlineData("5.", true)]
    [InlineData("007", true)]
    [InlineData("", false)]
    [InlineData("-", false)]
    [InlineData(".", false)]
    [InlineData("1.2.3", false)]
    [InlineData("1e5", false)]
    [InlineData(" 1", false)]
    [InlineData("1,5", false)]
    [InlineData("--1", false)]
    [InlineData("1-", false)]
    public void IsNumeric_Value_MatchesNm(string value, bool expected)
    {
        DataTypeChecks.IsNumeric(value.AsSpan()).Should().Be(expected);
        DataTypeChecks.IsNumeric(Encoding.UTF8.GetBytes(value).AsSpan()).Should().Be(expected, "the raw bytes of a value are checked like its text");
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("0", true)]
    [InlineData("9999", true)]
    [InlineData("", false)]
    [InlineData("-1", false)]
    [InlineData("1.0", false)]
    [InlineData("A", false)]
    public void IsSequenceId_Value_MatchesSi(string value, bool expected)
    {
        DataTypeChecks.IsSequenceId(value.AsSpan()).Should().Be(expected);
        DataTypeChecks.IsSequenceId(Encoding.UTF8.GetBytes(value).AsSpan()).Should().Be(expected, "the raw bytes of a value are checked like its text");
    }

    [Theory]
    [InlineData("2024", true)]
    [InlineData("202402", true)]
    [InlineData("20240229", true)]
    [InlineData("20230228", true)]
    [InlineData("19991231", true)]
    [InlineData("20230229", false)]
    [InlineData("20240230", false)]
    [InlineData("20241301", false)]
    [InlineData("20240001", false)]
    [InlineData("20240100", false)]
    [InlineData("0000", false)]
    [InlineData("202", false)]
    [InlineData("20240", false)]
    [InlineData("2024010", false)]
    [InlineData("202401011", false)]
    [InlineData("2024-01-01", false)]
    [InlineData("2024O101", false)]
    [InlineData("", false)]
    public void IsDate_Value_MatchesDt(string value, bool expected)
    {
        DataTypeChecks.IsDate(value.AsSpan()).Should().Be(expected);
        DataTypeChecks.IsDate(Encoding.UTF8.GetBytes(value).AsSpan()).Should().Be(expected, "the raw bytes of a value are checked like its text");
    }

    [Theory]
    [InlineData("12", true)]
    [InlineData("1230", true)]
    [InlineData("123059", true)]
    [InlineData("123059.1", true)]
    [InlineData("123059.1234", true)]
    [InlineData("0000+0100", true)]
    [InlineData("2359-0500", true)]
    [InlineData("24", false)]
    [InlineData("1260", false)]
    [InlineData("123060", false)]
    [InlineData("123", false)]
    [InlineData("1230.5", false)]
    [InlineData("123059.", false)]
    [InlineData("123059.12345", false)]
    [InlineData("1230+01", false)]
    [InlineData("1230+1500", false)]
    [InlineData("1230+0160", false)]
    [InlineData("+0100", false)]
    [InlineData("12:30", false)]
    [InlineData("", false)]
    public void IsTime_Value_MatchesTm(string value, bool expected)
    {
        DataTypeChecks.IsTime(value.AsSpan()).Should().Be(expected);
        DataTypeChecks.IsTime(Encoding.UTF8.GetBytes(value).AsSpan()).Should().Be(expected, "the raw bytes of a value are checked like its text");
    }

    [Theory]
    [InlineData("2024", true)]
    [InlineData("20240101", true)]
    [InlineData("2024010112", true)]
    [InlineData("202401011230", true)]
    [InlineData("20240101123059", true)]
    [InlineData("20240101123059.1234", true)]
    [InlineData("20240101123059-0500", true)]
    [InlineData("20240101123059.12+0130", true)]
    [InlineData("20240101+0000", true)]
    [InlineData("202401011", false)]
    [InlineData("20240101123", false)]
    [InlineData("20240101250000", false)]
    [InlineData("20240132", false)]
    [InlineData("20240101123059.12345", false)]
    [InlineData("20240101123059-05", false)]
    [InlineData("20240101123059+05:00", false)]
    [InlineData("20240101 123059", false)]
    [InlineData("2024-01-01T12:30:59", false)]
    [InlineData("-20240101", false)]
    [InlineData("", false)]
    public void IsDateTime_Value_MatchesDtm(string value, bool expected)
    {
        DataTypeChecks.IsDateTime(value.AsSpan()).Should().Be(expected);
        DataTypeChecks.IsDateTime(Encoding.UTF8.GetBytes(value).AsSpan()).Should().Be(expected, "the raw bytes of a value are checked like its text");
    }

    [Fact]
    public void IsDateTime_MutatedValues_MatchesPatternAndRanges()
    {
        // An independent statement of DTM: the pattern, then the ranges of each part.
        var pattern = new System.Text.RegularExpressions.Regex(
            "^([0-9]{4})(?:([0-9]{2})(?:([0-9]{2})(?:([0-9]{2})(?:([0-9]{2})(?:([0-9]{2})(?:\\.[0-9]{1,4})?)?)?)?)?)?(?:[+-]([0-9]{2})([0-9]{2}))?$");
        string[] seeds = ["20240229235959.1234+1400", "20230228", "19991231235959-0500", "2024010112.5", "20240101123059.12345"];
        var random = new Random(7);
        const string alphabet = "0123456789.+-x";
        for (var i = 0; i < 20000; i++)
        {
            var seed = seeds[random.Next(seeds.Length)];
            var chars = seed[..random.Next(0, seed.Length + 1)].ToList();
            for (var edits = random.Next(3); edits > 0 && chars.Count > 0; edits--)
            {
                var at = random.Next(chars.Count);
                switch (random.Next(3))
                {
                    case 0: chars[at] = alphabet[random.Next(alphabet.Length)]; break;
                    case 1: chars.RemoveAt(at); break;
                    default: chars.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                }
            }

            var value = new string([.. chars]);
            var match = pattern.Match(value);
            var expected = match.Success && InRange(match);

            DataTypeChecks.IsDateTime(value.AsSpan()).Should().Be(expected, value);
            DataTypeChecks.IsDateTime(Encoding.ASCII.GetBytes(value).AsSpan()).Should().Be(expected, value);
        }
    }

    private static bool InRange(System.Text.RegularExpressions.Match match)
    {
        int Part(int group, int absent) => match.Groups[group].Success ? int.Parse(match.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture) : absent;
        var year = Part(1, 1);
        var month = Part(2, 1);
        return year > 0 && month is >= 1 and <= 12 && Part(3, 1) is var day && day >= 1 && day <= DateTime.DaysInMonth(year, month)
            && Part(4, 0) <= 23 && Part(5, 0) <= 59 && Part(6, 0) <= 59 && Part(7, 0) <= 14 && Part(8, 0) <= 59;
    }
}
