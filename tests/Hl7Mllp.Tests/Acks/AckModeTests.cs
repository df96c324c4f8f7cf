using Hl7Mllp.Acks;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Tests.Acks;

public class AckModeTests
{
    private static readonly string[] Values = ["", "AL", "NE", "ER", "SU"];

    public static TheoryData<string, string> AllCombinations()
    {
        var data = new TheoryData<string, string>();
        foreach (string accept in Values)
        {
            foreach (string application in Values)
            {
                data.Add(accept, application);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllCombinations))]
    public void Determine_EveryMsh15And16Combination_DecidesAsTable0155Says(string accept, string application)
    {
        Hl7Message message = Hl7Message.Parse($"MSH|^~\\&|A|B|C|D|20250101||ADT^A01|1|P|2.5|||{accept}|{application}\rPID|1");

        AckMode mode = AckMode.Determine(message);

        bool enhanced = accept.Length > 0 || application.Length > 0;
        mode.IsEnhanced.Should().Be(enhanced);
        mode.Should().Be(AckMode.FromFields(accept, application));
        foreach (bool success in new[] { true, false })
        {
            mode.IsAcceptAckDue(success).Should().Be(enhanced && Due(accept, success), "accept ACK, MSH-15 '{0}', success {1}", accept, success);
            mode.IsApplicationAckDue(success).Should().Be(!enhanced || Due(application, success), "application ACK, MSH-16 '{0}', success {1}", application, success);
        }

        mode.Decide([]).Should().Be(enhanced ? AckCode.CA : AckCode.AA);
    }

    [Fact]
    public void Determine_OriginalMode_IsTheOriginalValue()
    {
        AckMode mode = AckMode.Determine(Hl7Message.Parse("MSH|^~\\&|A|B|C|D|20250101||ADT^A01|1|P|2.3"));

        mode.Should().Be(AckMode.Original);
        mode.ToString().Should().Be("original");
    }

    [Fact]
    public void Determine_UnknownValue_CountsAsAlways()
    {
        AckMode mode = AckMode.FromFields("XX", "ne");

        mode.AcceptAck.Should().Be(AckRequirement.Always);
        mode.ApplicationAck.Should().Be(AckRequirement.Always);
        mode.ToString().Should().Be("enhanced (accept AL, application AL)");
    }

    [Fact]
    public void Decide_EnhancedModeWithErrors_UsesCommitCodes()
    {
        AckMode mode = AckMode.FromFields("AL", "NE");

        mode.Decide([new Hl7Error(Hl7ErrorCode.RequiredFieldMissing, "x")]).Should().Be(AckCode.CE);
        mode.Decide([new Hl7Error(Hl7ErrorCode.ApplicationInternalError, "x")]).Should().Be(AckCode.CR);
    }

    private static bool Due(string requirement, bool success) => requirement switch
    {
        "NE" => false,
        "ER" => !success,
        "SU" => success,
        _ => true,
    };
}
