namespace Hl7Mllp.Storage;

/// <summary>The order in which a <see cref="FileMessageSource"/> sends the files it finds (the seed's Sort By).</summary>
public enum FileSortOrder
{
    /// <summary>Oldest modification time first, ties by name (the default).</summary>
    ModifiedTime = 0,

    /// <summary>By file name, ordinal (names from a <see cref="FileMessageStore"/> sort in arrival order).</summary>
    Name = 1,
}
