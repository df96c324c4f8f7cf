using System.Collections.Concurrent;
using System.Text.Json;

namespace Hl7Mllp.Validation;

/// <summary>
/// A Named Fields definition: the segments and fields a receiver validates messages against, with each
/// field's data type, optionality, repetitions, length and table, the composite data types, and the tables'
/// allowed values. Load one from JSON (<see cref="LoadFile"/>, <see cref="FromJson"/>, or a SQL query with
/// <see cref="LoadFromQueryAsync(System.Data.Common.DbDataSource, string, CancellationToken)"/>) or use a built-in
/// HL7 version (<see cref="BuiltIn"/>); validate with <see cref="NamedFieldsValidator"/>.
/// </summary>
/// <remarks>
/// <para>JSON format (short property names keep files small; unknown properties are an error):</para>
/// <code>
/// {
///   "version": "2.5.1",
///   "segments": {
///     "PID": { "name": "Patient Identification", "fields": [
///       { "name": "Set ID - PID", "type": "SI", "len": 4 },
///       { "name": "Patient Identifier List", "type": "CX", "req": true, "rep": 0, "len": 250 } ] } },
///   "dataTypes": { "CX": [ { "name": "ID Number", "type": "ST" }, { "name": "Check Digit Scheme", "type": "ID", "table": "0061" } ] },
///   "tables": { "0061": [ "BCV", "ISO", "M10", "M11", "NPI" ] }
/// }
/// </code>
/// <para>Field properties: <c>name</c>, <c>type</c>, <c>req</c> (default false), <c>rep</c> (default 1, 0 = unbounded),
/// <c>len</c> (default 0 = no limit), <c>table</c>. Immutable and thread-safe once built.</para>
/// </remarks>
public sealed partial class NamedFieldsDefinition
{
    private const string ResourcePrefix = "Hl7Mllp.Validation.Definitions.hl7-v";
    private static readonly ConcurrentDictionary<string, Lazy<NamedFieldsDefinition>> BuiltIns = new(StringComparer.Ordinal);

    private readonly ByteKeyMap<CompiledSegment> _compiled;
    private readonly ByteKeyMap<CompiledElement> _observationValueTypes;

    /// <summary>Creates a definition and checks it.</summary>
    /// <param name="version">The HL7 version the definition describes, e.g. <c>2.5.1</c>.</param>
    /// <param name="segments">The segments; each ID at most once.</param>
    /// <param name="dataTypes">Composite data types by name, each a list of components. Default none.</param>
    /// <param name="tables">Table values by table ID (e.g. <c>0001</c>). Default none.</param>
    /// <exception cref="ArgumentNullException">An argument or item is <see langword="null"/>.</exception>
    /// <exception cref="NamedFieldsDefinitionException">A segment ID is malformed or repeated, or a field's limits are negative.</exception>
    public NamedFieldsDefinition(
        string version,
        IEnumerable<SegmentDefinition> segments,
        IReadOnlyDictionary<string, IReadOnlyList<FieldDefinition>>? dataTypes = null,
        IReadOnlyDictionary<string, IReadOnlyCollection<string>>? tables = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(segments);
        Version = version;
        DataTypes = new Dictionary<string, IReadOnlyList<FieldDefinition>>(dataTypes ?? new Dictionary<string, IReadOnlyList<FieldDefinition>>(), StringComparer.OrdinalIgnoreCase);
        var tableSets = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (id, values) in tables ?? new Dictionary<string, IReadOnlyCollection<string>>())
        {
            ArgumentNullException.ThrowIfNull(values, nameof(tables));
            tableSets[id] = new HashSet<string>(values, StringComparer.Ordinal);
        }

        Tables = tableSets.ToDictionary(t => t.Key, t => (IReadOnlySet<string>)t.Value, StringComparer.Ordinal);
        var tableValues = tableSets.ToDictionary(t => t.Key, t => new TableValues(t.Value), StringComparer.Ordinal);

        foreach (var (name, components) in DataTypes)
        {
            ArgumentNullException.ThrowIfNull(components, nameof(dataTypes));
            for (var i = 0; i < components.Count; i++)
            {
                CheckField(components[i], $"data type {name} component {i + 1}");
            }
        }

        var bySegment = new Dictionary<string, SegmentDefinition>(StringComparer.Ordinal);
        var compiled = new Dictionary<string, CompiledSegment>(StringComparer.Ordinal);
        foreach (var segment in segments)
        {
            ArgumentNullException.ThrowIfNull(segment, nameof(segments));
            ArgumentNullException.ThrowIfNull(segment.Fields, nameof(segments));
            if (segment.Id is not { Length: 3 } id || !char.IsAsciiLetterUpper(id[0]) || !IsIdChar(id[1]) || !IsIdChar(id[2]))
            {
                throw new NamedFieldsDefinitionException($"Named Fields definition: '{segment.Id}' is not a segment ID (three characters, uppercase letter first, then uppercase letters or digits).");
            }

            if (!bySegment.TryAdd(segment.Id, segment))
            {
                throw new NamedFieldsDefinitionException($"Named Fields definition: segment {segment.Id} is defined twice.");
            }

            for (var i = 0; i < segment.Fields.Count; i++)
            {
                CheckField(segment.Fields[i], $"segment {segment.Id} field {i + 1}");
            }

            compiled[segment.Id] = new CompiledSegment(segment.Id, compiled.Count, [.. segment.Fields.Select(f => CompiledElement.Create(f, DataTypes, tableValues, depth: 0))]);
        }

        Segments = bySegment;
        _compiled = new ByteKeyMap<CompiledSegment>(compiled);

        // OBX-5 is VARIES: its type is the value of OBX-2, resolved per message from these.
        var observationValueTypes = new Dictionary<string, CompiledElement>(StringComparer.Ordinal);
        foreach (var type in CompiledElement.PrimitiveTypes.Concat(DataTypes.Keys).Append("TS"))
        {
            observationValueTypes.TryAdd(
                type.ToUpperInvariant(),
                CompiledElement.Create(new FieldDefinition { Name = "Observation Value", DataType = type }, DataTypes, tableValues, depth: 0));
        }

        // A type name that does not pack (non-ASCII, over 15 bytes) cannot be named by an OBX-2 the walk resolves either.
        _observationValueTypes = new ByteKeyMap<CompiledElement>(observationValueTypes);
    }

    /// <summary>The HL7 versions with a built-in definition: <c>2.3</c>, <c>2.5.1</c>, <c>2.7</c>.</summary>
    public static IReadOnlyList<string> BuiltInVersions { get; } = ["2.3", "2.5.1", "2.7"];

    /// <summary>The HL7 version the definition describes.</summary>
    public string Version { get; }

    /// <summary>The segments by ID.</summary>
    public IReadOnlyDictionary<string, SegmentDefinition> Segments { get; }

    /// <summary>The composite data types by name (case-insensitive), each a list of components.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FieldDefinition>> DataTypes { get; }

    /// <summary>The allowed values of each table, by table ID.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> Tables { get; }

    /// <summary>
    /// Returns the built-in definition of an HL7 version, generated from the MIT-licensed npm package
    /// <c>hl7-dictionary</c> (see THIRD-PARTY-NOTICES.md). Loaded on first use and shared.
    /// </summary>
    /// <param name="version">One of <see cref="BuiltInVersions"/>: <c>2.3</c>, <c>2.5.1</c> or <c>2.7</c>.</param>
    /// <returns>The definition. Built-in definitions check tables of HL7-defined (ID) values only; user-defined (IS) tables are local.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="version"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">There is no built-in definition for <paramref name="version"/>.</exception>
    public static NamedFieldsDefinition BuiltIn(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (!BuiltInVersions.Contains(version))
        {
            throw new ArgumentException($"There is no built-in Named Fields definition for HL7 version '{version}'; available: {string.Join(", ", BuiltInVersions)}.", nameof(version));
        }

        return BuiltIns.GetOrAdd(version, v => new Lazy<NamedFieldsDefinition>(() => LoadResource(v))).Value;
    }

    /// <summary>Reads a definition from a JSON file.</summary>
    /// <param name="path">The file's path.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="NamedFieldsDefinitionException">The JSON is malformed or describes an invalid definition.</exception>
    public static NamedFieldsDefinition LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromJson(File.ReadAllText(path));
    }

    /// <summary>Reads a definition from JSON text, e.g. the first column of the first row of a SQL query.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    /// <exception cref="NamedFieldsDefinitionException">The JSON is malformed or describes an invalid definition; the message says where.</exception>
    public static NamedFieldsDefinition FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        DefinitionJson? document;
        try
        {
            document = JsonSerializer.Deserialize(json, ValidationJsonContext.Default.DefinitionJson);
        }
        catch (JsonException ex)
        {
            throw new NamedFieldsDefinitionException(
                $"Named Fields definition: invalid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1} ({ex.Message}).",
                ex);
        }

        return FromDocument(document);
    }

    /// <summary>The compiled fields of a segment by its three ID bytes, found without allocating; <see langword="false"/> when the segment is not defined.</summary>
    internal bool TryGetCompiledSegment(ReadOnlySpan<byte> segmentId, out CompiledSegment segment) =>
        _compiled.TryGetValue(segmentId, out segment!);

    /// <summary>The element an OBX-5 value of type <paramref name="valueType"/> (OBX-2, raw bytes) is checked as; <see langword="false"/> for unknown types.</summary>
    internal bool TryGetObservationValueType(ReadOnlySpan<byte> valueType, out CompiledElement element) =>
        _observationValueTypes.TryGetValue(valueType, out element!);

    /// <summary>The number of defined segments: the slots of <see cref="CompiledSegment.Slot"/>.</summary>
    internal int SegmentCount => Segments.Count;

    private static bool IsIdChar(char c) => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c);

    private static NamedFieldsDefinition LoadResource(string version)
    {
        using var stream = typeof(NamedFieldsDefinition).Assembly.GetManifestResourceStream(ResourcePrefix + version + ".json")
            ?? throw new NamedFieldsDefinitionException($"The built-in Named Fields definition for HL7 version {version} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return FromJson(reader.ReadToEnd());
    }

    private static NamedFieldsDefinition FromDocument(DefinitionJson? document)
    {
        if (document is null)
        {
            throw new NamedFieldsDefinitionException("Named Fields definition: the JSON is null; expected an object with \"version\" and \"segments\".");
        }

        if (string.IsNullOrWhiteSpace(document.Version))
        {
            throw new NamedFieldsDefinitionException("Named Fields definition: \"version\" is missing.");
        }

        if (document.Segments is null || document.Segments.Count == 0)
        {
            throw new NamedFieldsDefinitionException("Named Fields definition: \"segments\" is missing or empty.");
        }

        var segments = new List<SegmentDefinition>(document.Segments.Count);
        foreach (var (id, segment) in document.Segments)
        {
            if (segment?.Fields is null)
            {
                throw new NamedFieldsDefinitionException($"Named Fields definition: segment {id} has no \"fields\" array.");
            }

            segments.Add(new SegmentDefinition(id, segment.Name ?? string.Empty, ToFields(segment.Fields, $"segment {id} field")));
        }

        var dataTypes = new Dictionary<string, IReadOnlyList<FieldDefinition>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, components) in document.DataTypes ?? [])
        {
            if (components is null)
            {
                throw new NamedFieldsDefinitionException($"Named Fields definition: data type {name} has no components array.");
            }

            dataTypes[name] = ToFields(components, $"data type {name} component");
        }

        var tables = new Dictionary<string, IReadOnlyCollection<string>>(StringComparer.Ordinal);
        foreach (var (id, values) in document.Tables ?? [])
        {
            if (values is null || Array.IndexOf(values, null) >= 0)
            {
                throw new NamedFieldsDefinitionException($"Named Fields definition: table {id} must be an array of strings.");
            }

            tables[id] = values!;
        }

        return new NamedFieldsDefinition(document.Version, segments, dataTypes, tables);
    }

    private static FieldDefinition[] ToFields(FieldJson?[] fields, string where)
    {
        var result = new FieldDefinition[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i] ?? throw new NamedFieldsDefinitionException($"Named Fields definition: {where} {i + 1} is null.");
            result[i] = new FieldDefinition
            {
                Name = field.Name ?? string.Empty,
                DataType = field.Type ?? string.Empty,
                Required = field.Req,
                MaxRepetitions = field.Rep,
                MaxLength = field.Len,
                Table = field.Table,
            };
        }

        return result;
    }

    private static void CheckField(FieldDefinition? field, string where)
    {
        if (field is null)
        {
            throw new NamedFieldsDefinitionException($"Named Fields definition: {where} is null.");
        }

        if (field.MaxRepetitions < 0)
        {
            throw new NamedFieldsDefinitionException($"Named Fields definition: {where} has {field.MaxRepetitions} maximum repetitions; use 0 for unbounded.");
        }

        if (field.MaxLength < 0)
        {
            throw new NamedFieldsDefinitionException($"Named Fields definition: {where} has a negative maximum length; use 0 for no limit.");
        }
    }
}
