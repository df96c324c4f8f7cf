using System.Text.Json.Serialization;

namespace Hl7Mllp.Validation;

// The JSON shapes of Named Fields definitions and rules files, read with System.Text.Json source
// generation (no reflection, no polymorphism). The public model is built from them after checking.

internal sealed class DefinitionJson
{
    public string? Version { get; set; }

    public string? Source { get; set; }

    public Dictionary<string, SegmentJson?>? Segments { get; set; }

    public Dictionary<string, FieldJson?[]?>? DataTypes { get; set; }

    public Dictionary<string, string?[]?>? Tables { get; set; }
}

internal sealed class SegmentJson
{
    public string? Name { get; set; }

    public FieldJson?[]? Fields { get; set; }
}

internal sealed class FieldJson
{
    public string? Name { get; set; }

    public string? Type { get; set; }

    public bool Req { get; set; }

    public int Rep { get; set; } = 1;

    public int Len { get; set; }

    public string? Table { get; set; }
}

internal sealed class RuleJson
{
    public string? Name { get; set; }

    public string? When { get; set; }

    public int? Code { get; set; }

    public string? Text { get; set; }

    public string? Severity { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(DefinitionJson))]
[JsonSerializable(typeof(RuleJson[]))]
internal sealed partial class ValidationJsonContext : JsonSerializerContext;
