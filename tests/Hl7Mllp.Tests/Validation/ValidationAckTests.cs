using System.Buffers;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Messages;
using Hl7Mllp.Validation;

namespace Hl7Mllp.Tests.Validation;

/// <summary>Validation errors go into an ACK unchanged: one ERR per error, located where the validator said.</summary>
public class ValidationAckTests
{
    [Fact]
    public void Build_NamedFieldsAndRuleErrors_WritesOneErrPerErrorWithLocation()
    {
        var message = Hl7Message.Parse("MSH|^~\\&|A|B|C|D|20240101||ADT^A01^ADT_A01|CTRL1|P|2.5.1\rEVN|A01\rPID|1||12345||DOE^JOHN||19801301|F");
        var errors = new List<Hl7Error>();
        new NamedFieldsValidator(NamedFieldsDefinition.BuiltIn("2.5.1")).Validate(message, errors);
        new Hl7RuleSet([Hl7Rule.FromPredicate("no SSN", m => m.GetValue("PID.19").Length == 0, Hl7ErrorCode.RequiredFieldMissing, "PID.19 SSN is required", Hl7Severity.Warning)])
            .Evaluate(message, errors);
        var output = new ArrayBufferWriter<byte>();

        new AckBuilder().Build(message, AckCode.AE, errors, output);

        var err = Encoding.ASCII.GetString(output.WrittenSpan).Split('\r').Where(s => s.StartsWith("ERR", StringComparison.Ordinal)).ToList();
        err.Should().Equal(
            "ERR||EVN^1^2^^^|101|E||||EVN.2 Recorded Date/Time is required",
            "ERR||PID^1^7^1^1^|102|E||||PID.7.1 Time is not a valid DTM value",
            "ERR||PID^1^19^^^|101|W||||PID.19 SSN is required");
    }
}
