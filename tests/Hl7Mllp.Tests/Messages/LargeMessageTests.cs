using Hl7Mllp.Messages;
using Hl7Mllp.Testing.Corpus;
using Hl7Mllp.Validation;

namespace Hl7Mllp.Tests.Messages;

/// <summary>
/// Field failures F14 and F15 of RELIABILITY.md: other engines rejected an OBX-5 over 65 536 characters by default,
/// or held a 30–50 KB ORU in megabytes of objects (here the corpus's 200 KB ORU^R01, 20 base64 OBX-5 values).
/// </summary>
public sealed class LargeMessageTests
{
    private const string LargeOru = "oru_r01_v251_nhapi_01.hl7";

    [Fact]
    public void F15_ParseAndReadA200KbOru_AllocatesOnlyTheStringsRead()
    {
        byte[] bytes = CorpusLocator.ReadBytes(LargeOru);
        int Read()
        {
            Hl7Message message = Hl7Message.Parse(bytes);
            int length = message.ControlId.Length;
            for (int occurrence = 1; occurrence <= message.CountSegments("OBX"); occurrence++)
            {
                length += message.GetRawValue(Hl7Key.Create("OBX", 5, occurrence: occurrence)).Length;
            }

            return length;
        }

        int expected = Read();
        long before = GC.GetAllocatedBytesForCurrentThread();
        int actual = Read();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        bytes.Length.Should().BeGreaterThan(150_000);
        actual.Should().Be(expected).And.BeGreaterThan(150_000, "the OBX-5 values hold most of the message");
        allocated.Should().BeLessThan(1024, "the message is a view over its bytes: no object per segment or field");
    }

    [Fact]
    public void F14_BuiltInV251Validation_AcceptsAnObx5LongerThan65536Characters()
    {
        string text = "MSH|^~\\&|LAB|NORTH|HIS|MAIN|20260101120000||ORU^R01^ORU_R01|F14|P|2.5.1\r"
            + "PID|1||123^^^HOSP^MR||DOE^JANE\rOBR|1||F14-1|88304^Pathology^L\r"
            + "OBX|1|FT|88304^Pathology^L||" + new string('x', 70_000) + "||||||F\r";
        Hl7Message message = Hl7Message.Parse(System.Text.Encoding.ASCII.GetBytes(text));
        var errors = new List<Hl7Error>();

        new NamedFieldsValidator(NamedFieldsDefinition.BuiltIn("2.5.1")).Validate(message, errors);

        message.GetRawValue(Hl7Key.Create("OBX", 5)).Length.Should().BeGreaterThan(65_536);
        errors.Should().NotContain(error => error.SegmentId == "OBX", "a large observation value is valid data, not an error");
    }
}
