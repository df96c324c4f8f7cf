using Hl7Mllp.Messages;

namespace Hl7Mllp.Tests.Messages;

public class Hl7KeyTests
{
    [Theory]
    [InlineData("MSH.10", "MSH", 1, 10, 0, 0, 0)]
    [InlineData("MSH-10", "MSH", 1, 10, 0, 0, 0)]
    [InlineData("PID.3.1", "PID", 1, 3, 0, 1, 0)]
    [InlineData("PID.3[2].1", "PID", 1, 3, 2, 1, 0)]
    [InlineData("OBX[3].5", "OBX", 3, 5, 0, 0, 0)]
    [InlineData("PID.5.1.1", "PID", 1, 5, 0, 1, 1)]
    [InlineData("ZB1[12].7[3].2.4", "ZB1", 12, 7, 3, 2, 4)]
    [InlineData("obx[2].5", "OBX", 2, 5, 0, 0, 0)]
    [InlineData("PID.99999", "PID", 1, 99999, 0, 0, 0)]
    public void Parse_ValidKey_ReadsEveryPart(string text, string segment, int occurrence, int field, int repetition, int component, int subcomponent)
    {
        Hl7Key key = Hl7Key.Parse(text);

        key.SegmentId.Should().Be(segment);
        key.Occurrence.Should().Be(occurrence);
        key.Field.Should().Be(field);
        key.Repetition.Should().Be(repetition);
        key.Component.Should().Be(component);
        key.Subcomponent.Should().Be(subcomponent);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("PID")]
    [InlineData("PID.")]
    [InlineData("PID-")]
    [InlineData("PID.0")]
    [InlineData("PID[0].1")]
    [InlineData("PID.1[0]")]
    [InlineData("PID.100000")]
    [InlineData("PI-3")]
    [InlineData("P D.3")]
    [InlineData("PIDX.3")]
    [InlineData("PID.3.")]
    [InlineData("PID.3.1.")]
    [InlineData("PID.3.1.1.1")]
    [InlineData("PID.3[1")]
    [InlineData("PID.3[]")]
    [InlineData("PID.-3")]
    [InlineData("PID.3-1")]
    [InlineData("PID.3 ")]
    [InlineData(" PID.3")]
    [InlineData("PID.3[1][2]")]
    [InlineData("PID.99999999999999999999")]
    public void TryParse_MalformedKey_ReturnsFalse(string? text)
    {
        Hl7Key.TryParse(text, out Hl7Key key).Should().BeFalse();
        key.Should().Be(default(Hl7Key));
    }

    [Fact]
    public void Parse_MalformedKey_ThrowsArgumentException()
    {
        Action act = () => Hl7Key.Parse("PID.x");
        act.Should().Throw<ArgumentException>();
        Action nullKey = () => Hl7Key.Parse((string)null!);
        nullKey.Should().Throw<ArgumentNullException>();
    }

    [Theory]
    [InlineData("PID.3[2].1", "PID.3[2].1")]
    [InlineData("OBX[1].5", "OBX.5")]
    [InlineData("MSH-10", "MSH.10")]
    [InlineData("pid[3].5.1.2", "PID[3].5.1.2")]
    public void ToString_Key_WritesCanonicalForm(string text, string expected)
    {
        Hl7Key key = Hl7Key.Parse(text);

        key.ToString().Should().Be(expected);
        Hl7Key.Parse(key.ToString()).Should().Be(key);
    }

    [Fact]
    public void Create_Parts_EqualsParsedKey()
    {
        Hl7Key.Create("PID", 3, repetition: 2, component: 1).Should().Be(Hl7Key.Parse("PID.3[2].1"));
        Hl7Key.Create("obx", 5, occurrence: 3).Should().Be(Hl7Key.Parse("OBX[3].5"));
        (Hl7Key.Parse("PID.3") != Hl7Key.Parse("PID.4")).Should().BeTrue();
        default(Hl7Key).ToString().Should().BeEmpty();
    }

    [Fact]
    public void Create_BadParts_Throws()
    {
        FluentActions.Invoking(() => Hl7Key.Create("PI", 1)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Hl7Key.Create("PID", 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Hl7Key.Create("PID", 1, occurrence: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Hl7Key.Create("PID", 1, repetition: -1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Hl7Key.Create("PID", 1, subcomponent: 1)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Hl7Key.Create("PID", Hl7Key.MaxIndex + 1)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
