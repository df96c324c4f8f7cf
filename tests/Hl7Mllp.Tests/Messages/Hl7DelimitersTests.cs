using Hl7Mllp.Messages;

namespace Hl7Mllp.Tests.Messages;

public class Hl7DelimitersTests
{
    [Fact]
    public void Default_IsStandardSet()
    {
        Hl7Delimiters.Default.ToString().Should().Be("|^~\\&");
        Hl7Delimiters.Default.EncodingCharacters.Should().Be("^~\\&");
        Hl7Delimiters.Default.HasTruncation.Should().BeFalse();
    }

    [Fact]
    public void Constructor_FiveEncodingCharacters_KeepsTruncation()
    {
        var delimiters = new Hl7Delimiters('|', '^', '~', '\\', '&', '#');

        delimiters.EncodingCharacters.Should().Be("^~\\&#");
        delimiters.Truncation.Should().Be('#');
        (delimiters != Hl7Delimiters.Default).Should().BeTrue();
    }

    [Theory]
    [InlineData('|', '^', '~', '\\', '|')]
    [InlineData('|', 'A', '~', '\\', '&')]
    [InlineData('|', '^', '~', ' ', '&')]
    [InlineData('|', '^', '~', '\\', '\r')]
    [InlineData('|', '^', '~', '\\', 'é')]
    public void Constructor_InvalidCharacters_Throws(char field, char component, char repetition, char escape, char subcomponent)
    {
        Action act = () => _ = new Hl7Delimiters(field, component, repetition, escape, subcomponent);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Constructor_TruncationEqualToAnother_Throws()
    {
        Action act = () => _ = new Hl7Delimiters('|', '^', '~', '\\', '&', '^');
        act.Should().Throw<ArgumentException>();
    }
}
