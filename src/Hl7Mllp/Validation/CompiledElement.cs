namespace Hl7Mllp.Validation;

/// <summary>A defined segment, resolved: its ID, a slot number for counting occurrences, and its fields.</summary>
internal sealed class CompiledSegment(string id, int slot, CompiledElement[] fields)
{
    public string Id { get; } = id;

    public int Slot { get; } = slot;

    /// <summary>The fields by number: item 0 is field 1.</summary>
    public CompiledElement[] Fields { get; } = fields;

    /// <summary>MSH, BHS or FHS: field 1 is the field separator and field 2 the encoding characters, never split.</summary>
    public bool IsHeader { get; } = id is "MSH" or "BHS" or "FHS";

    /// <summary>OBX: field 5 takes the data type field 2 names.</summary>
    public bool IsObservation { get; } = id == "OBX";

    /// <summary>The number of the last required field, 0 when none is: a segment that ends before it misses a required field.</summary>
    public int LastRequiredField { get; } = Array.FindLastIndex(fields, f => f.Required) + 1;
}

/// <summary>What the validator checks in a value of a primitive type.</summary>
internal enum ValueCheck
{
    /// <summary>Nothing (VARIES, unknown types): neither structure nor value.</summary>
    None,

    /// <summary>Structure only: a primitive value must not contain separators (ST, TX, FT, GTS, ID, IS).</summary>
    Text,

    Numeric,
    SequenceId,
    Date,
    DateTime,
    Time,

    /// <summary>A composite type with <see cref="CompiledElement.Components"/>.</summary>
    Composite,
}

/// <summary>
/// A field, component or subcomponent of a definition, resolved once when the definition is built:
/// data type check, components and table values, so validation does no look-ups by type name.
/// </summary>
internal sealed class CompiledElement
{
    private static readonly FieldDefinition[] TimeStampComponents =
    [
        new() { Name = "Time", DataType = "DTM" },
        new() { Name = "Degree of Precision", DataType = "ID", Table = "0529" },
    ];

    private CompiledElement(FieldDefinition definition, ValueCheck check, CompiledElement[]? components, TableValues? table)
    {
        Definition = definition;
        Check = check;
        Components = components;
        Table = table;
        Leaf = this;
        while (Leaf.Check == ValueCheck.Composite)
        {
            Leaf = Leaf.Components![0];
        }

        Required = definition.Required;
        MaxRepetitions = definition.MaxRepetitions;
        MaxLength = definition.MaxLength;
    }

    public FieldDefinition Definition { get; }

    /// <summary>
    /// What a value without separators is checked as: this element, or for a composite type its first component's
    /// leaf (ER7 puts such a value in the first component, and the first subcomponent of that).
    /// </summary>
    public CompiledElement Leaf { get; }

    // The definition's limits, copied here so that the walk reads them without a second indirection.
    public bool Required { get; }

    public int MaxRepetitions { get; }

    public int MaxLength { get; }

    public ValueCheck Check { get; }

    /// <summary>The components of a composite type (subcomponents when this is a component); <see langword="null"/> for primitives.</summary>
    public CompiledElement[]? Components { get; }

    /// <summary>The allowed values, when the element is primitive and the definition holds its table.</summary>
    public TableValues? Table { get; }

    /// <summary>Resolves an element; <paramref name="depth"/> 0 = field, 1 = component, 2 = subcomponent (no deeper in ER7).</summary>
    public static CompiledElement Create(
        FieldDefinition definition,
        IReadOnlyDictionary<string, IReadOnlyList<FieldDefinition>> dataTypes,
        IReadOnlyDictionary<string, TableValues> tables,
        int depth)
    {
        var type = definition.DataType.ToUpperInvariant();
        var check = PrimitiveCheck(type);
        CompiledElement[]? components = null;
        if (check == ValueCheck.None && type != "VARIES" && depth < 2)
        {
            var parts = dataTypes.TryGetValue(type, out var defined) && defined.Count > 0 ? defined
                : type == "TS" ? TimeStampComponents
                : null;
            if (parts is not null)
            {
                check = ValueCheck.Composite;
                components = [.. parts.Select(p => Create(p, dataTypes, tables, depth + 1))];
            }
        }

        TableValues? table = null;
        if (check is not (ValueCheck.Composite or ValueCheck.None) && definition.Table is { } id && tables.TryGetValue(id, out var values))
        {
            table = values;
        }

        return new CompiledElement(definition, check, components, table);
    }

    /// <summary>The primitive types the validator knows.</summary>
    public static IReadOnlyList<string> PrimitiveTypes { get; } = ["NM", "SI", "DT", "DTM", "TM", "ST", "TX", "FT", "GTS", "ID", "IS"];

    private static ValueCheck PrimitiveCheck(string type) => type switch
    {
        "NM" => ValueCheck.Numeric,
        "SI" => ValueCheck.SequenceId,
        "DT" => ValueCheck.Date,
        "DTM" => ValueCheck.DateTime,
        "TM" => ValueCheck.Time,
        "ST" or "TX" or "FT" or "GTS" or "ID" or "IS" => ValueCheck.Text,
        _ => ValueCheck.None,
    };
}
