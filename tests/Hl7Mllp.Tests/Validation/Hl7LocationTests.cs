using Hl7Mllp.Validation;

namespace Hl7Mllp.Tests.Validation;

public class Hl7LocationTests
{
    [Theory]
    [InlineData("PID", "PID", 1, 0, 0, 0, 0)]
    [InlineData("PID.3", "PID", 1, 3, 1, 0, 0)]
    [InlineData("OBX[12].5", "OBX", 12, 5, 1, 0, 0)]
    [InlineData("PID.3[2].4.1", "PID", 1, 3, 2, 4, 1)]
    [InlineData("NK1[2].2[3].1", "NK1", 2, 2, 3, 1, 0)]
    [InlineData("ZP1.1", "ZP1", 1, 1, 1, 0, 0)]
    public void TryParseKey_WellFormed_ReturnsLocation(string key, string segment, int occurrence, int field, int repetition, int component, int subcomponent)
    {
        Hl7Location.TryParseKey(key, out var location).Should().BeTrue();

        location.Should().Be(new Hl7Location(segment, occurrence, field, repetition, component, subcomponent));
    }

    [Theory]
    [InlineData("")]
    [InlineData("PI")]
    [InlineData("pid.3")]
    [InlineData("1ID.3")]
    [InlineData("PID.")]
    [InlineData("PID.3.")]
    [InlineData("PID.0")]
    [InlineData("PID[0]")]
    [InlineData("PID[]")]
    [InlineData("PID[1")]
    [InlineData("PID.3.1[2]")]
    [InlineData("PID.3.1.2.4")]
    [InlineData("PID.3x")]
    [InlineData("PIDX.3")]
    [InlineData("PID.99999999")]
    [InlineData("PID-3")]
    public void TryParseKey_Malformed_ReturnsFalseAndNone(string key)
    {
        Hl7Location.TryParseKey(key, out var location).Should().BeFalse();

        location.Should().Be(Hl7Location.None);
    }

    [Theory]
    [InlineData("OBX", 2, 5, 1, 0, 0, "OBX[2].5")]
    [InlineData("PID", 1, 3, 2, 4, 1, "PID.3[2].4.1")]
    [InlineData("MSH", 1, 0, 0, 0, 0, "MSH")]
    [InlineData("", 0, 0, 0, 0, 0, "")]
    public void ToString_Location_WritesCompactKey(string segment, int occurrence, int field, int repetition, int component, int subcomponent, string expected) =>
        new Hl7Location(segment, occurrence, field, repetition, component, subcomponent).ToString().Should().Be(expected);
}
