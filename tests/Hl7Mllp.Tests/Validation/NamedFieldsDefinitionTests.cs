using Hl7Mllp.Messages;
using Hl7Mllp.Validation;
using Hl7Mllp.Testing;

namespace Hl7Mllp.Tests.Validation;

public class NamedFieldsDefinitionTests
{
    [Theory]
    [InlineData("2.3")]
    [InlineData("2.5.1")]
    [InlineData("2.7")]
    public void BuiltIn_EachVersion_LoadsWithMshAndPid(string version)
    {
        var definition = NamedFieldsDefinition.BuiltIn(version);

        definition.Version.Should().Be(version);
        definition.Segments.Should().ContainKeys("MSH", "PID", "OBX", "OBR", "PV1");
        definition.Segments["MSH"].Fields[9].Name.Should().Be("Message Control ID");
        definition.Segments["MSH"].Fields[9].Required.Should().BeTrue();
        definition.Segments["PID"].Fields[2].Should().BeEquivalentTo(new { DataType = "CX", Required = true, MaxRepetitions = 0 });
        definition.Tables["0104"].Should().Contain(version);
        definition.Tables.Should().NotContainKey("0396");
    }

    [Fact]
    public void BuiltIn_V251_HasDictionaryFacts()
    {
        var definition = NamedFieldsDefinition.BuiltIn("2.5.1");

        definition.Segments["PID"].Fields[7].Should().BeEquivalentTo(new { Name = "Administrative Sex", DataType = "IS", Table = (string?)null });
        definition.Segments["MSH"].Fields[0].Should().BeEquivalentTo(new { DataType = "ST", Required = true, MaxLength = 1 });
        definition.Segments["OBX"].Fields[1].Should().BeEquivalentTo(new { DataType = "ID", MaxRepetitions = 1, MaxLength = 3, Table = "0125" });
        definition.DataTypes["CX"].Should().HaveCount(10);
        definition.DataTypes["TS"].Select(c => c.DataType).Should().Equal("DTM", "ID");
        definition.Tables["0125"].Should().Contain(["CE", "CWE", "NM", "TS"]);
        definition.Tables["0103"].Should().BeEquivalentTo(["D", "P", "T"]);
    }

    [Fact]
    public void BuiltIn_SameVersionTwice_ReturnsSharedInstance()
    {
        NamedFieldsDefinition.BuiltIn("2.5.1").Should().BeSameAs(NamedFieldsDefinition.BuiltIn("2.5.1"));
    }

    [Theory]
    [InlineData("2.4")]
    [InlineData("")]
    [InlineData("v2.5.1")]
    public void BuiltIn_UnknownVersion_ThrowsListingVersions(string version)
    {
        var act = () => NamedFieldsDefinition.BuiltIn(version);

        act.Should().Throw<ArgumentException>().WithParameterName("version").Which.Message.Should().Contain("2.3, 2.5.1, 2.7");
    }

    [Fact]
    public void FromJson_Minimal_DefaultsApply()
    {
        var definition = NamedFieldsDefinition.FromJson("""{ "version": "x", "segments": { "ZPI": { "fields": [ { "type": "ST" } ] } } }""");

        definition.Segments["ZPI"].Name.Should().BeEmpty();
        definition.Segments["ZPI"].Fields.Should().ContainSingle().Which.Should().Be(new FieldDefinition { DataType = "ST" });
        definition.Segments["ZPI"].Fields[0].MaxRepetitions.Should().Be(1);
        definition.DataTypes.Should().BeEmpty();
        definition.Tables.Should().BeEmpty();
    }

    [Fact]
    public void FromJson_TestDefinition_ReadsEveryProperty()
    {
        var definition = NamedFieldsDefinition.FromJson(NamedFieldsValidatorTests.DefinitionJson);

        definition.Segments["TST"].Fields[8].Should().Be(new FieldDefinition { Name = "Identifier", DataType = "CX", MaxRepetitions = 2, MaxLength = 40 });
        definition.Segments["TST"].Fields[6].Table.Should().Be("0001");
        definition.DataTypes["cx"].Should().HaveCount(6);
        definition.Tables["0001"].Should().BeEquivalentTo(["F", "M", "U"]);
    }

    [Theory]
    [InlineData("", "invalid JSON at line 1")]
    [InlineData("{\n  \"version\": \"x\",\n  \"segments\": {\n    \"PID\": { \"fields\": [ { \"rep\": \"many\" } ] } } }", "invalid JSON at line 4")]
    [InlineData("null", "the JSON is null")]
    [InlineData("[]", "invalid JSON")]
    [InlineData("{\"segments\":{\"PID\":{\"fields\":[]}}}", "\"version\" is missing")]
    [InlineData("{\"version\":\"x\"}", "\"segments\" is missing or empty")]
    [InlineData("{\"version\":\"x\",\"segments\":{}}", "\"segments\" is missing or empty")]
    [InlineData("{\"version\":\"x\",\"segments\":{\"PID\":{}}}", "segment PID has no \"fields\" array")]
    [InlineData("{\"version\":\"x\",\"segments\":{\"PID\":null}}", "segment PID has no \"fields\" array")]
    [InlineData("{\"version\":\"x\",\"segments\":{\"PID\":{\"fields\":[null]}}}", "segment PID field 1 is null")]
    [InlineData("{\"version\":\"x\",\"segments\":{\"pid\":{\"fields\":[]}}}", "'pid' is not a segment ID")]
    [InlineData("{\"version\":\"x\",\"segments\":{\"PIDX\":{\"fields\":[]}}}", "'PIDX' is not a segment ID")]
    [InlineData("{\"version\":\"x\",\"segments\":{\"PID\":{\"fields\":[{},{\"rep\":-1}]}}}", "segment PID field 2 has -1 maximum repetitions")]
    [InlineData("{\"version\":\"x\",\"segments\":{\"PID\":{\"fields\":[{\"len\":-5}]}}}", "segment PID field 1 has a negative maximum length")]
    [InlineData("{\"version\":\"x\",\"segments\":{\"PID\":{\"fields\":[{\"required\":true}]}}}", "invalid JSON")]
    [InlineData("{\"version\":\"x\",\"segments\":{\"PID\":{\"fields\":[]}},\"dataTypes\":{\"CX\":null}}", "data type CX has no components array")]
    [InlineData("{\"version\":\"x\",\"segments\":{\"PID\":{\"fields\":[]}},\"dataTypes\":{\"CX\":[{\"len\":-1}]}}", "data type CX component 1 has a negative maximum length")]
    [InlineData("{\"version\":\"x\",\"segments\":{\"PID\":{\"fields\":[]}},\"tables\":{\"0001\":null}}", "table 0001 must be an array of strings")]
    [InlineData("{\"version\":\"x\",\"segments\":{\"PID\":{\"fields\":[]}},\"tables\":{\"0001\":[\"A\",null]}}", "table 0001 must be an array of strings")]
    public void FromJson_Invalid_ThrowsClearMessage(string json, string message)
    {
        var act = () => NamedFieldsDefinition.FromJson(json);

        act.Should().Throw<NamedFieldsDefinitionException>().Which.Message.Should().StartWith("Named Fields definition: ").And.Contain(message);
    }

    [Fact]
    public void Constructor_DuplicateSegment_Throws()
    {
        SegmentDefinition[] segments = [new("PID", "a", []), new("PID", "b", [])];

        var act = () => new NamedFieldsDefinition("x", segments);

        act.Should().Throw<NamedFieldsDefinitionException>().WithMessage("*segment PID is defined twice*");
    }

    [Fact]
    public void Constructor_CodeBuiltDefinition_Validates()
    {
        var definition = new NamedFieldsDefinition(
            "local",
            [new SegmentDefinition("ZPI", "Local", [new FieldDefinition { Name = "Flag", DataType = "ID", Required = true, Table = "Z001" }])],
            tables: new Dictionary<string, IReadOnlyCollection<string>> { ["Z001"] = ["Y", "N"] });
        var findings = new List<Hl7Error>();

        new NamedFieldsValidator(definition).Validate(Hl7Message.Parse("MSH|^~\\&|A\rZPI|X\rZPI|"), findings);

        findings.Select(f => (f.Code, f.Place())).Should().Equal(
            (Hl7Mllp.Messages.Hl7ErrorCode.TableValueNotFound, new Place("ZPI", 1, 1, 1)),
            (Hl7Mllp.Messages.Hl7ErrorCode.RequiredFieldMissing, new Place("ZPI", 2, 1)));
    }

    [Fact]
    public void LoadFile_File_Reads()
    {
        using var temp = new TempDirectory("definition");
        string path = temp.Combine("definition.json");
        File.WriteAllText(path, NamedFieldsValidatorTests.DefinitionJson);

        NamedFieldsDefinition.LoadFile(path).Segments.Should().ContainKey("TST");
    }

    [Fact]
    public void LoadFile_Missing_ThrowsIOException()
    {
        using var temp = new TempDirectory("definition");
        var act = () => NamedFieldsDefinition.LoadFile(temp.Combine("missing.json"));

        act.Should().Throw<IOException>();
    }
}
