using System.Text;
using Hl7Mllp.Messages;
using Hl7Mllp.Testing.Corpus;
using Hl7Mllp.Validation;

namespace Hl7Mllp.Tests.Validation;

/// <summary>
/// The accept path (<see cref="ConformanceCheck"/>) must pass exactly the segments in which the reporting walk finds
/// nothing: every message here is validated both ways and the findings compared.
/// </summary>
public class ConformanceCheckTests
{
    private const string Header = "MSH|^~\\&|APP|FAC|RCV|RFAC|20240101120000||ADT^A01|CTRL1|P|2.5.1\r";

    private static readonly NamedFieldsDefinition Definition = NamedFieldsDefinition.FromJson(NamedFieldsValidatorTests.DefinitionJson);

    public static TheoryData<string> Versions() => [.. NamedFieldsDefinition.BuiltInVersions];

    [Theory]
    [MemberData(nameof(Versions))]
    public void Conforms_CorpusMessages_SameFindingsAsReportingWalk(string version)
    {
        var definition = NamedFieldsDefinition.BuiltIn(version);
        var compared = 0;
        foreach (var file in CorpusLocator.MessageFiles())
        {
            if (Hl7Message.TryParse(CorpusLocator.ReadBytes(file), out var message, out _))
            {
                AssertSameFindings(definition, message, file);
                compared++;
            }
        }

        compared.Should().BeGreaterThan(50);
    }

    [Fact]
    public void Conforms_MutatedMessages_SameFindingsAsReportingWalk()
    {
        // Separators, nulls, escapes, non-ASCII and long runs dropped into random places of real messages.
        string[] insertions = ["^", "~", "&", "|", "\"\"", "\\E\\", "\\X0D\\", "\u00e9", "\u4e2d", "X", "1", "-", ".", "+0100", new string('9', 30), "^^^", "~~", "&&", "\r", "\rZZ1|a^b\r"];
        var definition = NamedFieldsDefinition.BuiltIn("2.5.1");
        var random = new Random(4);
        var sources = CorpusLocator.MessageFiles().Select(CorpusLocator.ReadBytes).Append(File.ReadAllBytes(RepositoryFile("tools/messages/adt_a01_v251.hl7"))).ToList();
        var compared = 0;
        foreach (var source in sources)
        {
            var text = Encoding.UTF8.GetString(source);
            for (var i = 0; i < 40; i++)
            {
                var at = random.Next(text.Length);
                var mutated = random.Next(4) == 0
                    ? text.Remove(at, Math.Min(text.Length - at, random.Next(1, 4)))
                    : text.Insert(at, insertions[random.Next(insertions.Length)]);
                if (Hl7Message.TryParse(Encoding.UTF8.GetBytes(mutated), out var message, out _))
                {
                    AssertSameFindings(definition, message, $"mutation {i} at {at}");
                    compared++;
                }
            }
        }

        compared.Should().BeGreaterThan(2000);
    }

    [Theory]
    [InlineData("TST|1|||||||||n", 0)]
    [InlineData("TST|1|||||||||n|||extra|fields^beyond~the&definition", 0)]
    [InlineData("TST|1|||||||||n|a^b&c^d|x^y^z", 0)]
    [InlineData("TST|1|||||||||n~m~o~p", 0)]
    [InlineData("TST|1||||||||A~B~C|n", 1)]
    [InlineData("TST|1||||||||A^^^^^~B|n", 0)]
    [InlineData("TST|1||||||||A^^^^^^x|n", 1)]
    [InlineData("TST|1||||||||A^^^H&1&ISO&&|n", 0)]
    [InlineData("TST|1||||||||A^^^H&1&ISO&x|n", 1)]
    [InlineData("TST|1||||||||A^^XYZ|n", 1)]
    [InlineData("TST|1||||||||A^^\"\"|n", 0)]
    [InlineData("TST|\"\"|\"\"|\"\"|\"\"|\"\"|\"\"|\"\"|||n", 0)]
    [InlineData("TST|1|1\\E\\2||||||||n", 1)]
    [InlineData("TST|1||||||||A\\S\\B\\T\\C|n\\F\\m", 0)]
    [InlineData("TST|1||||||\u00dc|||n", 1)]
    [InlineData("TST|1|||||||\u00fcber|\u00e9\u00e9|n\u4e2d", 0)]
    [InlineData("TST|1|123456||||||||n", 1)]
    [InlineData("TST|1|12345||||||||n", 0)]
    [InlineData("TST|1|1^2||||||||n", 1)]
    [InlineData("TST|1|1&2||||||||n", 1)]
    [InlineData("TST|1||||||F^M|||n", 1)]
    [InlineData("TST|1|||||20240101&x^S||||n", 1)]
    [InlineData("TST|1|||||20240101^S&x||||n", 1)]
    [InlineData("TST", 2)]
    [InlineData("TST|", 2)]
    [InlineData("TST|1", 1)]
    [InlineData("TST|1|||||||||", 1)]
    [InlineData("ZZ1|anything^at&all~here", 0)]
    [InlineData("XYZ", 0)]
    public void Conforms_EdgeCases_SameFindingsAsReportingWalk(string segment, int expected)
    {
        var message = Hl7Message.Parse(Header + segment);

        AssertSameFindings(Definition, message, segment).Should().HaveCount(expected);
    }

    [Theory]
    [InlineData("MSH|^~\\&|APP|FAC|RCV|RFAC|20240101||ADT^A01|1|P|2.5.1", 0)]
    [InlineData("MSH|^~\\&#|APP|FAC|RCV|RFAC|20240101||ADT^A01|1|P|2.5.1", 1)]
    [InlineData("MSH|^~\\&|APP|FAC|RCV|RFAC|20240101||ADT^A01|1|P", 1)]
    [InlineData("MSH|^~\\&|APP^1.2^ISO|FAC|RCV|RFAC|20240101||ADT^A01|1|P|2.5.1", 0)]
    [InlineData("MSH|^~\\&|APP^1.2^XX|FAC|RCV|RFAC|20240101||ADT^A01|1|P|2.5.1", 1)]
    [InlineData("MSH|^~\\&|APP&1.2&ISO|FAC|RCV|RFAC|20240101||ADT^A01|1|P|2.5.1", 1)]
    [InlineData("MSH#:*\\@#APP#FAC#RCV#RFAC#20240101##ADT:A01#1#P#2.5.1", 0)]
    [InlineData("MSH#:*\\@#APP#FAC#RCV#RFAC#20240101##ADT:A01#1#P:T:X#2.5.1", 1)]
    public void Conforms_Headers_SameFindingsAsReportingWalk(string header, int expected)
    {
        AssertSameFindings(Definition, Hl7Message.Parse(header), header).Should().HaveCount(expected);
    }

    [Theory]
    [InlineData("OBX|1|NM|X||-12.5~3||||||F", 0)]
    [InlineData("OBX|1|NM|X||12,5||||||F", 1)]
    [InlineData("OBX|1|TS|X||20240101^Y||||||F", 0)]
    [InlineData("OBX|1|CWE|X||N^No^HL70136||||||F", 0)]
    [InlineData("OBX|1|ST|X||a^b||||||F", 1)]
    [InlineData("OBX|1|ZZ|X||a^b&c^d||||||F", 0)]
    [InlineData("OBX|1|nm|X||a^b||||||F", 0)]
    [InlineData("OBX|1|NM~ST|X||a^b||||||F", 0)]
    [InlineData("OBX|1|VERYLONGTYPE|X||a^b||||||F", 0)]
    [InlineData("OBX|1||X||a^b&c^d||||||F", 0)]
    public void Conforms_ObservationValues_SameFindingsAsReportingWalk(string obx, int expected)
    {
        var definition = NamedFieldsDefinition.BuiltIn("2.5.1");

        AssertSameFindings(definition, Hl7Message.Parse(Header + obx), obx, ValidationFlags.DataType).Should().HaveCount(expected);
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\n")]
    [InlineData("\r\n\r\n")]
    public void Conforms_SegmentsAtEveryWordOffset_SameFindingsAsReportingWalk(string terminator)
    {
        // The masks cover the whole message: each segment starts at every offset of a 64-bit word once, after a Z segment
        // full of separators and before a segment whose separators must not count for it; fields past the definition,
        // repetitions, escapes, empty components and non-ASCII among them.
        string[] segments =
        [
            "TST|1|||||||||n",
            "TST|1||||||||A^^^^^~B|n",
            "TST|1||||||||A^^^^^^x|n",
            "TST|1||||||||A^^^H&1&ISO&x|n|extra|fields^beyond~the&definition",
            "TST|1|1\\E\\2||||||||n",
            "TST|1|||||||\u00fcber|\u00e9\u00e9|n\u4e2d",
            "TST|1|123456||||||||n",
            "TST|1",
            "TST|1|||||||||",
            "TST",
        ];
        var compared = 0;
        for (var padding = 0; padding < 64; padding++)
        {
            foreach (var segment in segments)
            {
                var text = Header.TrimEnd('\r') + terminator + "ZZ1|" + new string('|', padding % 7) + new string('^', padding / 7) + new string('x', padding) + terminator
                    + segment + terminator + "TST|1|^~&|^^^|||||||n";
                AssertSameFindings(Definition, Hl7Message.Parse(text), $"{segment} after {padding}");
                compared++;
            }
        }

        compared.Should().Be(640);
    }

    [Fact]
    public void Conforms_LongSegment_MasksSpanManyWords()
    {
        // Separators on both sides of 64-byte word boundaries, and a value longer than several words.
        var notes = string.Join('~', Enumerable.Range(0, 200).Select(i => new string('n', i % 70)));
        var message = Hl7Message.Parse(Header + "TST|1|" + new string('1', 63) + "|||||||A^^M10^HOSP&1.2.3&ISO^MR^20240101~B2|" + notes + "|x^" + new string('y', 130) + "^z");

        AssertSameFindings(Definition, message, "long").Should().ContainSingle().Which.Code.Should().Be(Hl7ErrorCode.ValueTooLong);
    }

    [Fact]
    public void Conforms_Latin1AndLegacyCharacterSets_SameFindingsAsReportingWalk()
    {
        var big5 = System.Text.CodePagesEncodingProvider.Instance.GetEncoding(950)!;
        var latin1 = Header.TrimEnd('\r') + "||||||8859/1\rTST|1|||||||\u00e9\u00fc|x|n\rTST|1||||||\u00dc|||n";
        var legacy = Header.TrimEnd('\r') + "||||||BIG-5\rTST|1|||||||\u4e2d|x|n\rTST|1||20241301|||||||n";

        AssertSameFindings(Definition, Hl7Message.Parse(Encoding.Latin1.GetBytes(latin1)), "latin1").Should().ContainSingle();
        AssertSameFindings(Definition, Hl7Message.Parse(big5.GetBytes(legacy)), "big5").Should().ContainSingle();
    }

    private static List<Hl7Error> AssertSameFindings(NamedFieldsDefinition definition, Hl7Message message, string because, ValidationFlags flags = ValidationFlags.All)
    {
        var accepted = new List<Hl7Error>();
        var walked = new List<Hl7Error>();

        new NamedFieldsValidator(definition, flags).Validate(message, accepted);
        new NamedFieldsValidator(definition, flags) { ReportingWalkOnly = true }.Validate(message, walked);

        accepted.Should().Equal(walked, because);
        return accepted;
    }

    private static string RepositoryFile(string path)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hl7Mllp.sln")))
            {
                return Path.Combine(dir.FullName, path);
            }
        }

        throw new InvalidOperationException("The repository root was not found.");
    }
}
