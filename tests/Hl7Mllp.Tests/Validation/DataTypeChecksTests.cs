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
}
